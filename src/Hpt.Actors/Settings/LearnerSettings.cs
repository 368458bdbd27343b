namespace Hpt.Actors.Settings;

/// <summary>`hpt.learner`: device, AdamW and batching of the learner.</summary>
public sealed record LearnerSettings(
    string Device,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    int MiniBatches,
    int MicroBatchTokens,
    bool ActivationCheckpointing)
{
    /// <summary>What the trainer needs of these settings.</summary>
    public Hpt.Training.TrainerOptions Trainer => new(LearningRate, WeightDecay, Beta1, Beta2, MiniBatches, MicroBatchTokens, ActivationCheckpointing);

    public static LearnerSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.learner");
        return new LearnerSettings(r.String("device"), r.Double("learning-rate", min: 0), r.Double("weight-decay", min: 0),
            r.Double("beta1", min: 0, max: 1), r.Double("beta2", min: 0, max: 1), r.Int("mini-batches", min: 1),
            r.Int("micro-batch-tokens", min: 16), r.Bool("activation-checkpointing"));
    }
}
