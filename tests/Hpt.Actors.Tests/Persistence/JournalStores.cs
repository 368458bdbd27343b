using Hpt.Actors.Persistence;

namespace Hpt.Actors.Tests.Persistence;

/// <summary>The real stores the persistence specs run against. PostgreSQL comes from tools/test.sh (HPT_TEST_POSTGRES).</summary>
public static class JournalStores
{
    public static TheoryData<string> All => new() { "sqlite", "postgresql" };

    public static PersistenceSettings Settings(string store) => store switch
    {
        "sqlite" => PersistenceSettings.Default with { Store = JournalStore.Sqlite },
        "postgresql" => PersistenceSettings.Default with
        {
            Store = JournalStore.PostgreSql,
            ConnectionString = Environment.GetEnvironmentVariable("HPT_TEST_POSTGRES")
                ?? throw new InvalidOperationException(
                    "HPT_TEST_POSTGRES is not set: run the tests with `bash tools/test.sh`, which starts PostgreSQL on loopback"),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(store)),
    };
}
