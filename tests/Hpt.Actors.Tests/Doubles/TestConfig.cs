using Akka.Configuration;

namespace Hpt.Actors.Tests.Doubles;

public static class TestConfig
{
    /// <summary>
    /// TestKit's synchronous expectations (ExpectMsg and the like) block a thread while the actors they wait for need
    /// thread-pool threads, and a 2-core CI machine starts with two. With test classes running in parallel next to other
    /// test processes, the pool then adds threads about one per second, and a 5-second expectation can time out with the
    /// message on its way (CI, round 6: one intake spec, once in six full runs). Every spec reads Default, so this runs
    /// before the first ActorSystem starts.
    /// </summary>
    static TestConfig()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
    }

    public static Config Default { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.test.single-expect-default = 5s
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);
}
