using Akka.Actor;
using Akka.Hosting;
using Hpt.Actors.Hosting;
using Hpt.Actors.Persistence;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Tests.Hosting;

/// <summary>The Akka.Hosting host of a run keeps what the hand-made ActorSystem had, and finds actors in the registry.</summary>
public sealed class AkkaHostTests
{
    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public async Task The_host_keeps_the_fail_fast_guardian_the_log_levels_and_the_journal_bindings_of_the_configuration()
    {
        var config = HptConfig.Load(overrides: ["persistence.store=memory"]);
        await using var host = await AkkaHost.StartAsync("hpt", config,
            akka => akka.WithRunJournal(PersistenceSettings.Default with { Store = JournalStore.Memory }, Path.GetTempPath()));
        var akka = host.System.Settings.Config;

        Assert.Equal("Hpt.Actors.Hosting.FailFastGuardian, Hpt.Actors", akka.GetString("akka.actor.guardian-supervisor-strategy"));
        Assert.Equal(Akka.Event.LogLevel.WarningLevel, host.System.EventStream.LogLevel);
        Assert.Equal("WARNING", akka.GetString("akka.stdout-loglevel"));
        Assert.Contains(akka.GetStringList("akka.loggers"), l => l.Contains("LoggerFactoryLogger"));
        Assert.Equal("akka.persistence.journal.inmem", akka.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("hpt-pipeline", akka.GetString("akka.actor.serialization-bindings.\"Hpt.Actors.Coordinator.ICoordinatorEvent, Hpt.Actors\""));
        Assert.Equal("PinnedDispatcher", akka.GetString("hpt.compute-dispatcher.type"));
    }

    [Fact]
    public async Task An_actor_registered_at_start_up_is_found_through_the_registry()
    {
        var config = HptConfig.Load(overrides: ["persistence.store=memory"]);
        await using var host = await AkkaHost.StartAsync("hpt", config, akka => akka.WithActors((system, registry) =>
            registry.Register<Echo>(system.ActorOf(Props.Create(() => new Echo()), "echo"))));

        var echo = await host.ActorAsync<Echo>();
        Assert.Equal("/user/echo", echo.Path.ToStringWithoutAddress());
        Assert.Equal("ping", await echo.Ask<string>("ping", TimeSpan.FromSeconds(5)));
    }
}
