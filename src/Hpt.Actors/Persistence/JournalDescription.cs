using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hpt.Actors.Persistence;

/// <summary>
/// Names the journal an ActorSystem writes to, for error lines: the SQLite file or the PostgreSQL host and database
/// (never the password), read from the journal plugin's own configuration.
/// </summary>
public static class JournalDescription
{
    public static string Of(Config config)
    {
        var plugin = config.GetString("akka.persistence.journal.plugin", "");
        if (plugin.Length == 0 || !config.HasPath(plugin + ".connection-string")) return $"journal ({(plugin.Length == 0 ? "default" : plugin)})";
        return Describe(config.GetString(plugin + ".provider-name", ""), config.GetString(plugin + ".connection-string", ""));
    }

    public static string Describe(string provider, string connectionString)
    {
        try
        {
            if (provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase))
                return $"SQLite journal {Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource)}";
            var pg = new NpgsqlConnectionStringBuilder(connectionString);
            return $"PostgreSQL journal {pg.Host}:{pg.Port}/{pg.Database} (user {pg.Username})";
        }
        catch (ArgumentException)
        {
            return $"{provider} journal";
        }
    }
}
