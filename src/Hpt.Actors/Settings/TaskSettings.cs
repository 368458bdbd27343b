namespace Hpt.Actors.Settings;

/// <summary>`hpt.task`: the training data (a built-in task or a file, with how to read it) and the demo's warm-up.</summary>
/// <param name="WarmupSteps">Resolved: "auto" is <see cref="DemoWarmupSteps"/> for the built-in model, 0 with hpt.model.path.</param>
public sealed record TaskSettings(string Name, int TrainSize, int EvalSize, int EvalSamples, string Difficulty, int WarmupSteps,
    double WarmupLearningRate, DataFileSettings Data)
{
    /// <summary>
    /// The warm-up that turns the demo's randomly initialised tiny model into a "base model" that sometimes solves a
    /// task; a pretrained model (hpt.model.path) is the base model itself and gets none unless asked for.
    /// </summary>
    public const int DemoWarmupSteps = 300;

    /// <summary>hpt.task.eval-protocol: small or paper (<see cref="Hpt.Actors.Hosting.EvaluationChoice.ForTraining"/>).</summary>
    public required string EvalProtocol { get; init; }

    /// <summary>True when <see cref="Name"/> is a file rather than a built-in task.</summary>
    public bool IsDataFile => !Hpt.Tasks.Builtin.BuiltinTasks.Names.Contains(Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Tokens a demonstration may take for SFT (hpt.task.data.max-demonstration-tokens; data files only); 0 = all.</summary>
    public int DemonstrationTokenLimit => IsDataFile ? Data.MaxDemonstrationTokens : 0;

    public static TaskSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.task");
        return new TaskSettings(r.String("name"), r.Int("train-size", min: 1), r.Int("eval-size", min: 0), r.Int("eval-samples", min: 1, max: 1024),
            r.String("difficulty"), ResolveWarmupSteps(r, new SettingsReader(root, "hpt.model").String("path")),
            r.Double("warmup-learning-rate", min: 0), DataFileSettings.Create(root)) { EvalProtocol = EvalProtocolOf(r) };
    }

    private static string EvalProtocolOf(SettingsReader r)
    {
        var protocol = r.String("eval-protocol").Trim().ToLowerInvariant();
        return protocol is "small" or "paper" ? protocol : throw new SettingsException(r.Key("eval-protocol"), $"'{protocol}' is not one of small, paper");
    }

    private static int ResolveWarmupSteps(SettingsReader r, string modelPath)
    {
        var text = r.String("warmup-steps").Trim();
        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase)) return modelPath.Length == 0 ? DemoWarmupSteps : 0;
        return r.Int("warmup-steps", min: 0);
    }
}
