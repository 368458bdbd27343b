using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hpt.Actors.Hosting;

/// <summary>
/// The ActorSystem of an hpt process, built the Akka.Hosting way: a <see cref="HostApplicationBuilder"/> with
/// <c>AddAkka</c>, the run's configuration as the fallback HOCON, the typed parts (journal, remoting, clustering) added
/// by <paramref name="configure"/>, and Microsoft.Extensions.Logging as Akka's logger (one console line per event, on
/// stdout like Akka's own logger, at akka.loglevel). Actors are found in the <see cref="ActorRegistry"/>
/// (<see cref="IRequiredActor{TKey}"/>). The process, not the host, owns Ctrl+C and SIGTERM: the CLI's shutdown
/// signal cancels the run, which saves a checkpoint before the host stops.
/// </summary>
public sealed class AkkaHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private AkkaHost(IHost host)
    {
        _host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
        Registry = host.Services.GetRequiredService<ActorRegistry>();
    }

    public ActorSystem System { get; }
    public ActorRegistry Registry { get; }

    /// <summary>The actor registered under <typeparamref name="TKey"/>, waiting for its registration.</summary>
    public Task<IActorRef> ActorAsync<TKey>(CancellationToken cancel = default) =>
        _host.Services.GetRequiredService<IRequiredActor<TKey>>().GetAsync(cancel);

    /// <summary>Starts the ActorSystem; <paramref name="configure"/> adds this process's typed Akka parts and start-up actors.</summary>
    public static async Task<AkkaHost> StartAsync(string systemName, Config config, Action<AkkaConfigurationBuilder> configure,
        Setup? setup = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, ProcessOwnsSignals>();
        var level = LogLevelOf(config);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(level);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Services.AddAkka(systemName, akka =>
        {
            akka.AddHocon(config, HoconAddMode.Append);
            configure(akka);
            if (setup is not null) akka.AddSetup(setup);
            akka.ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = AkkaLevel(level);
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        return new AkkaHost(host);
    }

    /// <summary>Runs coordinated shutdown (a graceful leave on a cluster) and stops the host; once.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _host.StopAsync();
        await System.WhenTerminated;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }

    private static LogLevel LogLevelOf(Config config) =>
        (config.GetString("akka.loglevel", "WARNING") ?? "WARNING").Trim().ToUpperInvariant() switch
        {
            "DEBUG" => LogLevel.Debug,
            "INFO" => LogLevel.Information,
            "ERROR" => LogLevel.Error,
            "OFF" => LogLevel.None,
            _ => LogLevel.Warning,
        };

    private static Akka.Event.LogLevel AkkaLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => Akka.Event.LogLevel.DebugLevel,
        LogLevel.Information => Akka.Event.LogLevel.InfoLevel,
        LogLevel.Warning => Akka.Event.LogLevel.WarningLevel,
        _ => Akka.Event.LogLevel.ErrorLevel,
    };

    /// <summary>No console lifetime: signals reach the CLI's <c>ShutdownSignal</c>, which cancels the run (checkpoint first).</summary>
    private sealed class ProcessOwnsSignals : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
