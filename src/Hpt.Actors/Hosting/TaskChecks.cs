using Hpt.Training.Engines.Torch;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Hosting;

/// <summary>
/// Poison input caught at load, before any work: a data file with no usable rows, or a prompt that cannot fit the
/// model's context (a 50 MB line would otherwise be encoded, embedded and kill the process for memory).
/// </summary>
public static class TaskChecks
{
    /// <summary>No tokenizer packs more characters than this into one token on average: longer text is refused unread.</summary>
    private const int MaxCharsPerToken = 64;

    public static void Check(TrainingTask task, string source, PromptCodec codec, int contextTokens)
    {
        if (task.Train.Count == 0)
            throw new SettingsException("hpt.task.name", $"{source} has no usable training rows (the file is empty, or every row was skipped)");
        foreach (var problem in task.Train.Concat(task.HeldOut))
        {
            var tokens = problem.Prompt.Length > (long)MaxCharsPerToken * contextTokens ? -1 : codec.EncodePrompt(problem.Prompt).Length;
            if (tokens >= 0 && tokens <= contextTokens) continue;
            var size = tokens < 0 ? $"{problem.Prompt.Length} characters" : $"{tokens} tokens";
            throw new SettingsException("hpt.task.name",
                $"the prompt of row '{problem.Id}' in {source} ({size}) does not fit the model's context of {contextTokens} tokens; " +
                "shorten or drop that row");
        }
    }
}
