using System.Diagnostics;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Checkpoints;

/// <summary>When the learner writes a checkpoint: every k steps, every T minutes, and after the last step.</summary>
public sealed class CheckpointSchedule(CheckpointStore store, CheckpointSettings settings, long totalSteps, string configHash)
{
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();

    public CheckpointStore Store { get; } = store;
    public CheckpointSettings Settings { get; } = settings;
    public string ConfigHash { get; } = configHash;

    public bool IsDue(long step) =>
        step % Settings.EverySteps == 0
        || step >= totalSteps
        || (Settings.Every > TimeSpan.Zero && _sinceLast.Elapsed >= Settings.Every);

    public void Saved() => _sinceLast.Restart();
}
