using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Hosting;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Hosting;

/// <summary>
/// The /user guardian's fail-fast supervision (hocon/akka.conf) as `hpt train` has it: a pipeline actor that keeps
/// failing is restarted a bounded number of times over the run, however far apart its failures are, and then the run
/// stops with one line naming hpt.pipeline.max-restarts; failures closer together than the crash-loop bound stop it
/// sooner.
/// </summary>
public sealed class FailFastStrategyTests : TestKit
{
    private readonly ITestOutputHelper _output;

    public FailFastStrategyTests(ITestOutputHelper output) : base(ConfigurationFactory.ParseString("""
        akka.actor.guardian-supervisor-strategy = "Hpt.Actors.Hosting.FailFastGuardian, Hpt.Actors"
        akka.loglevel = ERROR
        hpt.pipeline.max-restarts = 3
        """).WithFallback(TestConfig.Default), "fail-fast", output) => _output = output;

    /// <summary>Throws on "fail" (a curable failure: it is restarted), answers "ping" once it runs again.</summary>
    private sealed class Flaky : ReceiveActor
    {
        public Flaky()
        {
            Receive<string>(m => m == "fail", _ => throw new InvalidOperationException("flaky step"));
            Receive<string>(m => m == "ping", _ => Sender.Tell("pong"));
        }
    }

    private void FailAndWaitForRestart(IActorRef actor)
    {
        actor.Tell("fail");
        actor.Tell("ping");
        ExpectMsg("pong", TimeSpan.FromSeconds(5)); // the restarted instance answers
    }

    [Fact]
    public void An_actor_that_keeps_failing_stops_the_run_after_max_restarts_however_far_apart_its_failures_are()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(RunFailed));
        var learner = Sys.ActorOf(Props.Create(() => new Flaky()), "learner");
        // Three failures, spaced apart, well under the crash-loop bound (10 a minute): each one is restarted.
        for (var i = 0; i < 3; i++)
        {
            FailAndWaitForRestart(learner);
            Thread.Sleep(200);
        }
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // The fourth is one restart too many: the run stops with a line naming the key, and the actor is stopped.
        Watch(learner);
        learner.Tell("fail");
        var failed = ExpectMsg<RunFailed>(TimeSpan.FromSeconds(5));
        _output.WriteLine(failed.Reason);
        Assert.Contains("learner", failed.Reason);
        Assert.Contains("hpt.pipeline.max-restarts", failed.Reason);
        Assert.Contains("3", failed.Reason);
        Assert.Contains("flaky step", failed.Reason);
        ExpectTerminated(learner, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Each_actor_has_its_own_count()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(RunFailed));
        var learner = Sys.ActorOf(Props.Create(() => new Flaky()), "learner");
        var coordinator = Sys.ActorOf(Props.Create(() => new Flaky()), "coordinator");
        for (var i = 0; i < 3; i++)
        {
            FailAndWaitForRestart(learner);
            FailAndWaitForRestart(coordinator);
        }
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void A_bound_below_one_is_refused_naming_the_key(string value)
    {
        var e = Assert.Throws<SettingsException>(() => PipelineSettings.Create(HptConfig.Load(overrides: [$"pipeline.max-restarts={value}"])));
        Assert.Contains("hpt.pipeline.max-restarts", e.Message);
        Assert.Contains($"{value} is out of range", e.Message); // a known key with a bad value, not an unknown key
    }
}

/// <summary>Failures closer together than the crash-loop bound stop the run before the run-wide bound is reached.</summary>
public sealed class CrashLoopTests : TestKit
{
    private readonly ITestOutputHelper _output;

    public CrashLoopTests(ITestOutputHelper output) : base(ConfigurationFactory.ParseString("""
        akka.actor.guardian-supervisor-strategy = "Hpt.Actors.Hosting.FailFastGuardian, Hpt.Actors"
        akka.loglevel = ERROR
        hpt.pipeline.max-restarts = 1000
        """).WithFallback(TestConfig.Default), "crash-loop", output) => _output = output;

    private sealed class Failing : ReceiveActor
    {
        public Failing() => Receive<string>(_ => throw new InvalidOperationException("always"));
    }

    [Fact]
    public void A_crash_loop_stops_the_run_with_its_own_line()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(RunFailed));
        var worker = Sys.ActorOf(Props.Create(() => new Failing()), "worker");
        for (var i = 0; i <= FailFastStrategy.MaxRestarts; i++) worker.Tell("x");
        var failed = ExpectMsg<RunFailed>(TimeSpan.FromSeconds(10));
        _output.WriteLine(failed.Reason);
        Assert.Contains("a crash loop", failed.Reason);
        Assert.DoesNotContain("hpt.pipeline.max-restarts", failed.Reason);
    }
}
