using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Hpt.Actors.Persistence;
using Microsoft.Data.Sqlite;

namespace Hpt.Actors.Tests.Persistence.StoredFormats;

/// <summary>
/// Writes the v1 fixtures with the build that still writes v1 (run once, with HPT_WRITE_V1_FIXTURES=1, before the
/// journal DTOs replaced the v1 writer; removed in the commit after): each sample's bytes under its manifest, the
/// scenario's SQLite journal, and that build's observation of its own resume.
/// </summary>
public sealed class V1FixtureWriter
{
    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    [Fact]
    public async Task Write_the_v1_fixtures_when_asked()
    {
        if (Environment.GetEnvironmentVariable("HPT_WRITE_V1_FIXTURES") != "1") return;
        var golden = Path.Combine(Here(), "Golden");
        using (var sys = ActorSystem.Create("fixtures", PersistenceConfig.Build(new PersistenceSettings { Store = JournalStore.Memory }, "")))
        {
            var serializer = (SerializerWithStringManifest)sys.Serialization.FindSerializerFor(StoredFormatSamples.Events[0].Event);
            void Write(string name, object o)
            {
                var dir = Directory.CreateDirectory(Path.Combine(golden, serializer.Manifest(o))).FullName;
                File.WriteAllBytes(Path.Combine(dir, name + ".json"), serializer.ToBinary(o));
            }
            foreach (var (name, e) in StoredFormatSamples.Events) Write(name, e);
            Write("snapshot", StoredFormatSamples.Snapshot());
            await sys.Terminate();
        }

        var work = Directory.CreateTempSubdirectory("hpt-v1-").FullName;
        var writeConfig = PersistenceConfig.Build(new PersistenceSettings { Store = JournalStore.Sqlite }, work)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        using (var sys = ActorSystem.Create("write", writeConfig))
        {
            await JournalScenario.WriteAsync(sys);
            await sys.Terminate();
        }
        SqliteConnection.ClearAllPools();
        var fixture = Path.Combine(Here(), "v1-journal.db");
        File.Delete(fixture);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(work, "journal.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"VACUUM INTO '{fixture}';";
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        var observe = Directory.CreateTempSubdirectory("hpt-v1-observe-").FullName;
        File.Copy(fixture, Path.Combine(observe, "journal.db"));
        using (var sys = ActorSystem.Create("observe", PersistenceConfig.Build(new PersistenceSettings { Store = JournalStore.Sqlite }, observe)
                   .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))))
        {
            File.WriteAllText(Path.Combine(Here(), "v1-journal.resume.txt"), await JournalScenario.ObserveAsync(sys));
            await sys.Terminate();
        }
        SqliteConnection.ClearAllPools();
        Directory.Delete(work, recursive: true);
        Directory.Delete(observe, recursive: true);
    }
}
