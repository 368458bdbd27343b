namespace Hpt.Tasks.Builtin;

/// <summary>Which side of a built-in task's fixed train / held-out partition to draw from.</summary>
public enum TaskSplit
{
    Train,
    HeldOut,

    /// <summary>
    /// Carved out of the training side (never held-out prompts): what hyperparameters are selected on, so the held-out
    /// figures stay untouched by the selection. Only the ladder tasks (<see cref="LadderTask"/>) offer it.
    /// </summary>
    Validation,
}
