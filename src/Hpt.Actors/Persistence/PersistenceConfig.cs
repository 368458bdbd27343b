using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace Hpt.Actors.Persistence;

/// <summary>Builds the Akka HOCON for the chosen journal store and binds journaled types to <see cref="PipelineSerializer"/>.</summary>
public static class PersistenceConfig
{
    public static Config Build(PersistenceSettings settings, string runDirectory)
    {
        var serialization = """
            akka.actor {
              serializers.hpt-pipeline = "Hpt.Actors.Persistence.PipelineSerializer, Hpt.Actors"
              serialization-bindings {
                "Hpt.Actors.Coordinator.ICoordinatorEvent, Hpt.Actors" = hpt-pipeline
                "Hpt.Actors.Coordinator.CoordinatorSnapshot, Hpt.Actors" = hpt-pipeline
              }
            }
            """;
        if (settings.Store == JournalStore.Memory)
            return ConfigurationFactory.ParseString(serialization + """

                akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
                """);

        var connection = settings.ResolveConnectionString(runDirectory);
        var provider = settings.Store == JournalStore.Sqlite ? "SQLite.MS" : "PostgreSQL";
        if (settings.Store == JournalStore.Sqlite) PrepareSqlite(connection);
        var quoted = Quote(connection);
        return ConfigurationFactory.ParseString(serialization + $$"""

            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                  connection-string = {{quoted}}
                  provider-name = "{{provider}}"
                  auto-initialize = true
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                  connection-string = {{quoted}}
                  provider-name = "{{provider}}"
                  auto-initialize = true
                }
              }
            }
            """);
    }

    /// <summary>WAL makes each fsync'd Persist several times faster; the mode is stored in the file, so once suffices.</summary>
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

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
