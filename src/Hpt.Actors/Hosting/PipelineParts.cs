using Hpt.Actors.Checkpoints;
using Hpt.Actors.Coordinator;
using Hpt.Training.Engines;
using Hpt.Actors.Settings;
using Hpt.Core.Gating;

namespace Hpt.Actors.Hosting;

/// <summary>
/// Everything a pipeline is made of: the schedule, the data, and the engines the actors drive.
/// <paramref name="Restore"/> (resume) gets the journal's last step, loads the newest usable checkpoint at or before
/// it into the learner engine, and returns that checkpoint's step (0 when starting fresh).
/// </summary>
public sealed record PipelineParts(
    string RunId,
    int Seed,
    PipelineSettings Settings,
    IReadOnlyList<Hpt.Tasks.Problem> Problems,
    IReadOnlyList<Func<IRolloutEngine>> RolloutEngines,
    ILearnerEngine Learner,
    IRewardScorer Scorer,
    IGatePolicy Gate,
    PolicySnapshot? InitialPolicy = null,
    CheckpointSchedule? Checkpoints = null,
    Func<long, long>? Restore = null,
    SnapshotPolicy? Snapshots = null)
{
    /// <summary>Limits every generated group must meet before the coordinator journals it (null only in unit tests).</summary>
    public IntakeLimits? Intake { get; init; }
}
