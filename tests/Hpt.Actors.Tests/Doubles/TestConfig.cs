using Akka.Configuration;

namespace Hpt.Actors.Tests.Doubles;

public static class TestConfig
{
    public static Config Default { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.test.single-expect-default = 5s
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);
}
