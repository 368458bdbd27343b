using Akka.Configuration;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Persistence;

public enum JournalStore
{
    /// <summary>In memory: tests and throw-away runs; nothing survives the process.</summary>
    Memory,
    /// <summary>A SQLite file in the run directory: the embedded default.</summary>
    Sqlite,
    /// <summary>A PostgreSQL server: clusters.</summary>
    PostgreSql,
}

/// <summary>Where the coordinator's journal and snapshots live (`hpt.persistence`; every default in hocon/persistence.conf).</summary>
public sealed record PersistenceSettings
{
    /// <summary>hpt.persistence.store: memory | sqlite | postgresql.</summary>
    public required JournalStore Store { get; init; }

    /// <summary>
    /// hpt.persistence.connection-string. For sqlite, empty means `journal.db` in the run directory. For postgresql it
    /// is required; `env:NAME` reads it from the environment variable NAME so secrets stay out of committed files.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// hpt.persistence.snapshot-every-steps: the coordinator saves a snapshot of its state every this many steps and
    /// deletes the journal events and older snapshots it covers, so the journal and a resume stay the same size
    /// however long the run is. 0 = never (the journal keeps every event).
    /// </summary>
    public required int SnapshotEverySteps { get; init; }

    /// <summary>The settings hocon/ gives with nothing overridden (tests start from it with <c>with</c>).</summary>
    public static PersistenceSettings Default => Create(HptConfig.Reference);

    public static PersistenceSettings Create(Config root)
    {
        var r = new SettingsReader(root, "hpt.persistence");
        return new PersistenceSettings
        {
            Store = r.Enum<JournalStore>("store"),
            ConnectionString = r.String("connection-string"),
            SnapshotEverySteps = r.Int("snapshot-every-steps", min: 0),
        };
    }

    /// <summary>The resolved connection string (environment lookups done, SQLite default applied).</summary>
    public string ResolveConnectionString(string runDirectory)
    {
        var cs = ConnectionString;
        if (cs.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = cs[4..];
            cs = Environment.GetEnvironmentVariable(name)
                 ?? throw new SettingsException("hpt.persistence.connection-string", $"environment variable {name} is not set");
        }
        if (Store == JournalStore.Sqlite && cs.Length == 0)
            cs = $"Data Source={Path.Combine(runDirectory, "journal.db")}";
        if (Store == JournalStore.PostgreSql && cs.Length == 0)
            throw new SettingsException("hpt.persistence.connection-string", "is required for the postgresql store");
        return cs;
    }
}
