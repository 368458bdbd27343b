namespace Hpt.Actors.Settings;

/// <summary>`hpt.task`: the training data (a built-in task or a file) and the demo's warm-up.</summary>
public sealed record TaskSettings(string Name, int TrainSize, int EvalSize, int EvalSamples, string Difficulty, int WarmupSteps,
    double WarmupLearningRate)
{
    public static TaskSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.task");
        return new TaskSettings(r.String("name"), r.Int("train-size", min: 1), r.Int("eval-size", min: 0), r.Int("eval-samples", min: 1, max: 1024),
            r.String("difficulty"), r.Int("warmup-steps", min: 0),
            r.Double("warmup-learning-rate", min: 0));
    }
}
