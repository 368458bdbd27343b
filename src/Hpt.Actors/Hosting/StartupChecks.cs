using Hpt.Actors.Persistence;
using Hpt.Actors.Settings;
using Microsoft.Data.Sqlite;
using Npgsql;
using TorchSharp;

namespace Hpt.Actors.Hosting;

/// <summary>
/// What is checked before any work starts (warm-up, evaluation, actors): every device opens, and the journal accepts a
/// connection. A failure here is a <see cref="SettingsException"/> naming the key, before the run directory is claimed.
/// </summary>
public static class StartupChecks
{
    /// <summary>Opens <paramref name="device"/> (allocates one element on it); <paramref name="key"/> is the setting that names it.</summary>
    public static void Device(string key, string device)
    {
        var type = device.Split(':')[0].Trim().ToLowerInvariant();
        if (type == "cuda" && !torch.cuda.is_available())
            throw new SettingsException(key, $"device '{device}' does not exist: CUDA is not available in this build or on this machine");
        torch.Device parsed;
        try
        {
            parsed = torch.device(device);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or System.Runtime.InteropServices.ExternalException)
        {
            throw new SettingsException(key, $"'{device}' is not a device (use \"cpu\", \"cuda\" or \"cuda:N\"): {FirstLine(e.Message)}");
        }
        if (parsed.type == DeviceType.CUDA)
        {
            if (!torch.cuda.is_available())
                throw new SettingsException(key, $"device '{device}' does not exist: CUDA is not available in this build or on this machine");
            var count = torch.cuda.device_count();
            if (parsed.index >= count)
                throw new SettingsException(key, $"device '{device}' does not exist: this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1})");
        }
        else if (parsed.type != DeviceType.CPU)
        {
            throw new SettingsException(key, $"device '{device}' ({parsed.type}) is not supported (use \"cpu\" or \"cuda:N\")");
        }
        try
        {
            using var probe = torch.zeros(1, device: parsed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SettingsException(key, $"device '{device}' cannot be opened: {FirstLine(e.Message)}");
        }
    }

    /// <summary>
    /// Connects to the configured journal (creating the SQLite file, or logging in to PostgreSQL and running a query).
    /// </summary>
    public static void Journal(PersistenceSettings settings, string runDirectory, TimeSpan? timeout = null)
    {
        if (settings.Store == JournalStore.Memory) return;
        var connection = settings.ResolveConnectionString(runDirectory);
        var what = JournalDescription.Describe(settings.Store == JournalStore.Sqlite ? "SQLite" : "PostgreSQL", connection);
        try
        {
            if (settings.Store == JournalStore.PostgreSql) ProbePostgres(connection, timeout ?? TimeSpan.FromSeconds(15));
            PersistenceConfig.Prepare(settings, runDirectory); // SQLite: opens the file and sets WAL
        }
        catch (Exception e) when (e is NpgsqlException or SqliteException or IOException or UnauthorizedAccessException
                                      or InvalidOperationException or TimeoutException or ArgumentException)
        {
            var key = settings.ConnectionString.Length > 0 ? "hpt.persistence.connection-string" : "hpt.persistence.store";
            throw new SettingsException(key, $"cannot connect to the {what}: {e.Message}");
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static void ProbePostgres(string connectionString, TimeSpan timeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = Math.Max(1, (int)timeout.TotalSeconds) };
        using var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        command.ExecuteScalar();
    }
}
