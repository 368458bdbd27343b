namespace Hpt.Actors.Coordinator;

/// <summary>
/// When the coordinator snapshots its state (every <paramref name="EverySteps"/> steps; 0 = never) and how many
/// checkpointed steps it keeps rollback states for (<paramref name="KeepCheckpoints"/>, the checkpoint store's keep).
/// </summary>
public sealed record SnapshotPolicy(int EverySteps, int KeepCheckpoints)
{
    public static SnapshotPolicy None { get; } = new(0, 3);

    public bool IsDue(long step) => EverySteps > 0 && step > 0 && step % EverySteps == 0;
}
