namespace Hpt.Tasks.Builtin;

/// <summary>
/// Assigns every possible prompt to train or held-out by a stable hash of its text, so the two splits never share a
/// prompt whatever seeds or counts are used to draw from them.
/// </summary>
public static class SplitAssignment
{
    /// <summary>Share of all prompts that belong to the held-out split.</summary>
    public const int HeldOutPercent = 20;

    public static TaskSplit Of(string prompt)
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
        return h % 100 < HeldOutPercent ? TaskSplit.HeldOut : TaskSplit.Train;
    }
}
