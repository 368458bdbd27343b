namespace Hpt.Training;

/// <summary>The optimizer and the batching of a training step (keys <c>hpt.learner.*</c>, bound by the host).</summary>
/// <param name="MiniBatches">Optimizer steps per training step (PPO mini-batches).</param>
/// <param name="MicroBatchTokens">Micro-batches are cut so that each holds at most this many (prompt + response) tokens.</param>
/// <param name="ActivationCheckpointing">Recompute each decoder layer's activations in backward.</param>
public sealed record TrainerOptions(
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    int MiniBatches,
    int MicroBatchTokens,
    bool ActivationCheckpointing = false);
