namespace Hpt.Tasks.Builtin;

/// <summary>
/// Assigns every possible prompt to train or held-out by a stable hash of its text, so the two splits never share a
/// prompt whatever seeds or counts are used to draw from them.
/// </summary>
public static class SplitAssignment
{
    /// <summary>Share of all prompts that belong to the held-out split.</summary>
    public const int HeldOutPercent = 20;

    /// <summary>Share of all prompts that <see cref="WithValidation"/> moves from train to validation.</summary>
    public const int ValidationPercent = 10;

    public static TaskSplit Of(string prompt) => Bucket(prompt) < HeldOutPercent ? TaskSplit.HeldOut : TaskSplit.Train;

    /// <summary>
    /// The three-way partition: the held-out side exactly as <see cref="Of"/>, the next <see cref="ValidationPercent"/>
    /// buckets of the training side as validation, the rest train.
    /// </summary>
    public static TaskSplit WithValidation(string prompt) => Bucket(prompt) switch
    {
        < HeldOutPercent => TaskSplit.HeldOut,
        < HeldOutPercent + ValidationPercent => TaskSplit.Validation,
        _ => TaskSplit.Train,
    };

    private static ulong Bucket(string prompt)
    {
        var h = 14695981039346656037UL;
        foreach (var c in prompt)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return h % 100;
    }
}
