namespace Hpt.Training.Engines;

/// <summary>
/// The trainable policy and its optimizer. <see cref="Train"/> runs one training step (its mini- and micro-batches)
/// on the gate's decisions for a batch of prompts and advances <see cref="PolicyVersion"/> by one.
/// </summary>
public interface ILearnerEngine : IDisposable
{
    long PolicyVersion { get; }

    LearnerStepResult Train(IReadOnlyList<StepPrompt> batch);

    /// <summary>The current weights as an immutable snapshot that rollout engines can load.</summary>
    PolicySnapshot Snapshot();

    /// <summary>Writes the weights (and the optimizer state) into <paramref name="folder"/>.</summary>
    void SaveCheckpoint(string folder, bool withOptimizer);

    /// <summary>Restores what <see cref="SaveCheckpoint"/> wrote; the policy becomes <paramref name="version"/>.</summary>
    void LoadCheckpoint(string folder, long version);
}

/// <summary>
/// What the engine measured during one training step. <paramref name="MismatchKl"/> is the k3 estimate of
/// KL(behaviour || proximal) over the rollout tokens: how far the sampler's policy was from the learner's at the
/// start of the step (staleness, and numeric differences between the two).
/// </summary>
public sealed record LearnerStepResult(
    double Loss,
    double Entropy,
    double ClipFraction,
    double MismatchKl,
    double GradNorm,
    bool UpdateSkipped,
    int Rows,
    int Tokens)
{
    /// <summary>Share of on-policy RL tokens whose behaviour weight pi_prox / pi_behaviour hit the cap (0 when off).</summary>
    public double TruncatedTokenFraction { get; init; }

    /// <summary>Seconds of the no-grad scoring pass that computed the proximal log-probs (part of the step).</summary>
    public double ProximalSeconds { get; init; }

    /// <summary>One entry per optimizer step, in order.</summary>
    public IReadOnlyList<MiniBatchResult> MiniBatches { get; init; } = [];
}
