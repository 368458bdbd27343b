namespace Hpt.Actors.Hosting;

/// <summary>
/// What the run's data came to, for the start-up lines and the report: the source and how it was read, the rows
/// skipped or filtered out, the split, and the training prompts without a demonstration (SFT cannot act on those,
/// so HPT is RL-only there).
/// </summary>
/// <param name="Mapping">The field mapping's name ("built-in" for a built-in task).</param>
/// <param name="Reward">How the RL reward reads an answer ("strict", "default", or the built-in task's own checker).</param>
/// <param name="DemonstrationsTruncated">Training demonstrations longer than the demonstration token limit (cut for SFT).</param>
/// <param name="DemonstrationsUnboxed">
/// Under the strict reward: training demonstrations without a \boxed{} answer (GSM8K's "#### N"), a format SFT would
/// teach and the reward gives 0.
/// </param>
public sealed record TaskDataSummary(
    string Source,
    string Mapping,
    string Reward,
    int Rows,
    int SkippedRows,
    int PromptsTooLong,
    int Train,
    int HeldOut,
    int TrainWithoutDemonstration,
    int DemonstrationsTruncated,
    int DemonstrationsUnboxed = 0)
{
    /// <summary>Start-up lines: one description, then a warning for every thing a user should know before step 1.</summary>
    public IEnumerable<string> Lines(DataFileLimits limits)
    {
        yield return $"data: {Source} ({Mapping}): {Train} training and {HeldOut} held-out problems; reward: {Reward}";
        if (SkippedRows > 0)
            yield return $"warning: {SkippedRows} of {Rows} rows of {Source} could not be read and were skipped (hpt.task.data.bad-rows = skip)";
        if (PromptsTooLong > 0)
            yield return $"data: {PromptsTooLong} prompts longer than {limits.MaxPromptTokens} tokens were dropped (hpt.task.data.max-prompt-tokens)";
        if (DemonstrationsTruncated > 0)
            yield return $"data: {DemonstrationsTruncated} of {Train} training demonstrations are longer than {limits.MaxDemonstrationTokens} tokens " +
                         "and are cut for SFT (hpt.task.data.max-demonstration-tokens)";
        if (DemonstrationsUnboxed > 0)
            yield return $"warning: {DemonstrationsUnboxed} of {Train} training demonstrations have no \\boxed{{}} answer, and the strict reward " +
                         "gives 0 to answers in their format: SFT would teach a format RL does not credit " +
                         "(hpt.task.data.reward-mode = default credits them)";
        if (TrainWithoutDemonstration > 0)
            yield return $"warning: {TrainWithoutDemonstration} of {Train} training prompts have no demonstration: SFT cannot act on them, " +
                         "so HPT trains them with RL only (name the field with hpt.task.data.demonstration-fields)";
    }
}

/// <summary>The token limits a data file was read with (0 = none), for the summary's lines.</summary>
public sealed record DataFileLimits(int MaxPromptTokens, int MaxDemonstrationTokens);
