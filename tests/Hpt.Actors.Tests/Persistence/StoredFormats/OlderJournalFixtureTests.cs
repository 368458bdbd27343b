using Akka.Actor;
using Akka.Configuration;
using Hpt.Actors.Persistence;
using Microsoft.Data.Sqlite;

namespace Hpt.Actors.Tests.Persistence.StoredFormats;

/// <summary>
/// Journals written by earlier builds still load, and a coordinator resumes from each exactly as the build that wrote
/// it did: same view, same groups to the gate, same status, same next prompts, same rollback. Each fixture is
/// <see cref="JournalScenario.WriteAsync"/> run by that build on SQLite, with the observation that build made of its
/// own resume (<see cref="JournalScenario.ObserveAsync"/>):
/// <c>v1-journal.db</c>, the build before the journal had its own records (v1 groups, v1 snapshot, v1 steps);
/// <c>v2-journal.db</c>, 9b8c3b0, the last build that stored the policy version twice (v2 groups, v2 snapshot, v1 steps).
/// </summary>
public sealed class OlderJournalFixtureTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("hpt-older-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_runDir, recursive: true);
    }

    private static string Here() => RepoPaths.Under("tests", "Hpt.Actors.Tests", "Persistence", "StoredFormats");

    [Theory]
    [InlineData("v1-journal")]
    [InlineData("v2-journal")]
    public async Task Journal_of_an_earlier_build_resumes_as_the_build_that_wrote_it_resumed(string fixture)
    {
        File.Copy(Path.Combine(Here(), fixture + ".db"), Path.Combine(_runDir, "journal.db"));
        var config = PersistenceConfig.Build(PersistenceSettings.Default with { Store = JournalStore.Sqlite }, _runDir)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        using var sys = ActorSystem.Create("older", config);
        try
        {
            var observed = await JournalScenario.ObserveAsync(sys);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Here(), fixture + ".resume.txt")), observed);
        }
        finally
        {
            await sys.Terminate();
        }
    }
}
