namespace Hpt.Tasks.Builtin;

/// <summary>Which side of a built-in task's fixed train / held-out partition to draw from.</summary>
public enum TaskSplit
{
    Train,
    HeldOut,
}
