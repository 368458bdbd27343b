using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using Hpt.Actors.Coordinator;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Hpt.Actors.Persistence;

/// <summary>
/// The journal and snapshot store of a run, the Akka.Hosting way (<c>WithSqlPersistence</c> for SQLite and PostgreSQL,
/// the in-memory plugins for tests), with the journaled types bound to <see cref="PipelineSerializer"/>.
/// <see cref="Build"/> gives the same settings as HOCON for a plain ActorSystem (journal readers, tests).
/// </summary>
public static class PersistenceConfig
{
    /// <summary>Adds the journal of <paramref name="settings"/> (resolved against <paramref name="runDirectory"/>) to an Akka host.</summary>
    public static AkkaConfigurationBuilder WithRunJournal(this AkkaConfigurationBuilder builder, PersistenceSettings settings, string runDirectory)
    {
        builder.AddHocon(Serialization, HoconAddMode.Prepend);
        if (settings.Store == JournalStore.Memory)
            return builder.WithInMemoryJournal().WithInMemorySnapshotStore();

        var connection = Prepare(settings, runDirectory);
        return builder.WithSqlPersistence(connection, settings.Store == JournalStore.Sqlite ? "SQLite.MS" : "PostgreSQL", autoInitialize: true);
    }

    /// <summary>
    /// The resolved connection string; for SQLite the file is created (with its folder) and switched to WAL, which
    /// makes each fsync'd Persist several times faster (the mode is stored in the file, so once suffices).
    /// </summary>
    public static string Prepare(PersistenceSettings settings, string runDirectory)
    {
        var connection = settings.ResolveConnectionString(runDirectory);
        if (settings.Store == JournalStore.Sqlite) PrepareSqlite(connection);
        return connection;
    }

    /// <summary>The same journal as HOCON, for an ActorSystem made without a host.</summary>
    public static Config Build(PersistenceSettings settings, string runDirectory)
    {
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), "hpt").WithRunJournal(settings, runDirectory);
        return builder.Configuration.GetOrElse(Config.Empty);
    }

    private static readonly Config Serialization = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.hpt-pipeline = "{{Name(typeof(PipelineSerializer))}}"
          serialization-bindings {
            "{{Name(typeof(ICoordinatorEvent))}}" = hpt-pipeline
            "{{Name(typeof(CoordinatorSnapshot))}}" = hpt-pipeline
          }
        }
        """);

    private static string Name(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    private static void PrepareSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}
