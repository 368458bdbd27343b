using Hpt.Actors.Coordinator;

namespace Hpt.Actors.Persistence.Journal;

// The journal's records of the coordinator's small events (all v1: their bytes are those of the first format).

/// <summary><c>hpt.prompt-issued.v1</c>.</summary>
public sealed record StoredPromptIssued(long Seq, int Attempt)
{
    public static StoredPromptIssued From(PromptIssued e) => new(e.Seq, e.Attempt);
    public PromptIssued ToEvent() => new(Seq, Attempt);
}

/// <summary><c>hpt.prompt-returned.v1</c>.</summary>
public sealed record StoredPromptReturned(long Seq, int Attempt, string Reason, bool Failed)
{
    public static StoredPromptReturned From(PromptReturned e) => new(e.Seq, e.Attempt, e.Reason, e.Failed);
    public PromptReturned ToEvent() => new(Seq, Attempt, Reason, Failed);
}

/// <summary><c>hpt.prompt-set-aside.v1</c>.</summary>
public sealed record StoredPromptSetAside(long Seq, int Attempt, string Reason)
{
    public static StoredPromptSetAside From(PromptSetAside e) => new(e.Seq, e.Attempt, e.Reason);
    public PromptSetAside ToEvent() => new(Seq, Attempt, Reason);
}

/// <summary><c>hpt.rolled-back.v1</c>.</summary>
public sealed record StoredRolledBack(long ToStep, long FromStep)
{
    public static StoredRolledBack From(RolledBack e) => new(e.ToStep, e.FromStep);
    public RolledBack ToEvent() => new(ToStep, FromStep);
}

/// <summary><c>hpt.checkpoint-covered.v1</c>.</summary>
public sealed record StoredCheckpointCovered(long Step)
{
    public static StoredCheckpointCovered From(CheckpointCovered e) => new(e.Step);
    public CheckpointCovered ToEvent() => new(Step);
}
