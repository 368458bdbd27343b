namespace Hpt.Training.Engines;

/// <summary>
/// What one mini-batch (one optimizer step) of a training step measured. The ratio is pi_theta / pi_prox over its
/// on-policy RL tokens: exactly 1 in the first mini-batch, and moved by the earlier optimizer steps in the later ones.
/// </summary>
public sealed record MiniBatchResult(
    int Rows,
    double ClipFraction,
    double RatioMean,
    double RatioMin,
    double RatioMax,
    double GradNorm,
    bool UpdateSkipped);
