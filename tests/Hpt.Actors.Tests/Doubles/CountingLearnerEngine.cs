using Hpt.Training.Engines;

namespace Hpt.Actors.Tests.Doubles;

/// <summary>A learner engine that records the batches it is given and bumps the version per step.</summary>
public sealed class CountingLearnerEngine : ILearnerEngine
{
    public long PolicyVersion { get; private set; }
    public List<long[]> Batches { get; } = [];

    public LearnerStepResult Train(IReadOnlyList<StepPrompt> batch)
    {
        Batches.Add(batch.Select(b => b.Seq).ToArray());
        PolicyVersion++;
        return new LearnerStepResult(1, 0, 0, 0, 0, false, batch.Sum(b => b.Rows.Count), 0);
    }

    public PolicySnapshot Snapshot() => Fixtures.Snapshot(PolicyVersion);

    public void SaveCheckpoint(string folder, bool withOptimizer) =>
        File.WriteAllText(Path.Combine(folder, "version.txt"), PolicyVersion.ToString());

    public void LoadCheckpoint(string folder, long version) => PolicyVersion = version;

    public void Dispose() { }
}
