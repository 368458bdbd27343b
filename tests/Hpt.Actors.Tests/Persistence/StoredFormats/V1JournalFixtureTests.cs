using Akka.Actor;
using Akka.Configuration;
using Hpt.Actors.Persistence;
using Microsoft.Data.Sqlite;

namespace Hpt.Actors.Tests.Persistence.StoredFormats;

/// <summary>
/// A journal written by the build before the journal had its own records (v1 group and snapshot formats) still
/// loads, and a coordinator resumes from it exactly as that build did: same view, same groups to the gate, same
/// status, same next prompts, same rollback.
/// </summary>
public sealed class V1JournalFixtureTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("hpt-v1-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_runDir, recursive: true);
    }

    private static string Here() => RepoPaths.Under("tests", "Hpt.Actors.Tests", "Persistence", "StoredFormats");

    [Fact]
    public async Task Journal_written_in_v1_resumes_as_the_build_that_wrote_it_resumed()
    {
        File.Copy(Path.Combine(Here(), "v1-journal.db"), Path.Combine(_runDir, "journal.db"));
        var config = PersistenceConfig.Build(PersistenceSettings.Default with { Store = JournalStore.Sqlite }, _runDir)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        using var sys = ActorSystem.Create("v1", config);
        try
        {
            var observed = await JournalScenario.ObserveAsync(sys);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Here(), "v1-journal.resume.txt")), observed);
        }
        finally
        {
            await sys.Terminate();
        }
    }
}
