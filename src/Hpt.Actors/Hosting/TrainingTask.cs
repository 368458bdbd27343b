using Hpt.Training.Engines.Torch;
using Hpt.Actors.Settings;
using Hpt.Tasks;
using Hpt.Tasks.Builtin;
using Hpt.Tasks.Datasets;
using Hpt.Tasks.Evaluation;
using Hpt.Tasks.Verification;

namespace Hpt.Actors.Hosting;

/// <summary>
/// The run's data: training problems, held-out problems, the reward that checks a response (the RL reward), and the
/// one held-out evaluation uses. A built-in task brings its own checker for both; a data file is read as
/// hpt.task.data says and checked by the math verifier: strict by default for the RL reward (0 without \boxed{}, as
/// the official HPT reward), the default extraction for evaluation (as the paper's evaluator).
/// </summary>
public sealed record TrainingTask(string Name, IReadOnlyList<Problem> Train, IReadOnlyList<Problem> HeldOut, Func<Problem, string, double> Reward)
{
    /// <summary>The held-out evaluation's reward; the RL reward unless set.</summary>
    public Func<Problem, string, double> HeldOutReward { get; init; } = Reward;

    public TaskDataSummary Summary { get; init; } = new(Name, "built-in", "the task's checker", Train.Count + HeldOut.Count, 0, 0,
        Train.Count, HeldOut.Count, Train.Count(p => p.Demonstration is null), 0);

    /// <param name="codec">
    /// The policy's codec, to measure prompts and demonstrations in tokens; needed when hpt.task.data sets a token limit.
    /// </param>
    public static TrainingTask Create(TaskSettings settings, int seed, PromptCodec? codec = null)
    {
        if (!settings.IsDataFile)
        {
            var task = BuiltinTasks.Create(settings.Name, settings.Difficulty);
            return new TrainingTask(task.Name, task.Generate(settings.TrainSize, seed, TaskSplit.Train),
                task.Generate(settings.EvalSize, seed + 1, TaskSplit.HeldOut), Rewards.For(task));
        }
        if (!File.Exists(settings.Name))
            throw new SettingsException("hpt.task.name",
                $"'{settings.Name}' is neither a built-in task ({string.Join(", ", BuiltinTasks.Names)}) nor an existing data file");
        var data = settings.Data;
        if ((data.MaxPromptTokens > 0 || data.MaxDemonstrationTokens > 0) && codec is null)
            throw new InvalidOperationException("token limits on a data file need the policy's codec");

        FieldMapping mapping;
        DatasetLoadResult loaded;
        try
        {
            mapping = data.MappingFor(settings.Name);
            loaded = DatasetLoader.Load(settings.Name, new DatasetLoadOptions(mapping) { BadRows = data.BadRows });
        }
        catch (DatasetException e)
        {
            throw new SettingsException("hpt.task.name", data.BadRows == BadRowPolicy.Fail
                ? $"{e.Message} (hpt.task.data.bad-rows = skip skips and counts such rows)"
                : e.Message);
        }
        var kept = data.MaxPromptTokens > 0
            ? loaded.Problems.Where(p => codec!.EncodePrompt(p.Prompt).Length <= data.MaxPromptTokens).ToArray()
            : loaded.Problems.ToArray();
        if (kept.Length == 0)
            throw new SettingsException("hpt.task.name", $"{settings.Name}: no problems to train on ({loaded.Problems.Count} read, " +
                                                         $"{loaded.Skipped} rows skipped, {loaded.Problems.Count - kept.Length} prompts too long)");

        new Random(seed).Shuffle(kept);
        var eval = Math.Min(settings.EvalSize, kept.Length / 10);
        var train = kept.Skip(eval).Take(settings.TrainSize).ToArray();
        var heldOut = kept.Take(eval).ToArray();
        var truncated = data.MaxDemonstrationTokens > 0
            ? train.Count(p => p.Demonstration is { } d && codec!.Tokenizer.Encode(d).Length + 1 > data.MaxDemonstrationTokens) // + EOS
            : 0;
        var unboxed = data.RewardMode == VerifierMode.Strict
            ? train.Count(p => p.Demonstration is { } d && AnswerExtractor.Extract(d, VerifierMode.Strict) is null)
            : 0;
        var reward = new MathVerifier(new VerifierOptions { Mode = data.RewardMode });
        return new TrainingTask(Path.GetFileName(settings.Name), train, heldOut, Rewards.Math(reward))
        {
            HeldOutReward = Rewards.Math(new MathVerifier(new VerifierOptions { Mode = VerifierMode.Default })),
            Summary = new TaskDataSummary(settings.Name, mapping.Name, data.RewardMode.ToString().ToLowerInvariant(),
                loaded.Problems.Count + loaded.Skipped, loaded.Skipped, loaded.Problems.Count - kept.Length, train.Length, heldOut.Length,
                train.Count(p => string.IsNullOrWhiteSpace(p.Demonstration)), truncated, unboxed),
        };
    }
}
