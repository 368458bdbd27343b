using Hpt.Core.Advantages;
using Hpt.Core.Gating;
using Hpt.Core.Training;
using Hpt.Core.Upge;

namespace Hpt.Core.Configuration;

/// <summary>An algorithm ready to run: its configuration and the objects built from it.</summary>
/// <param name="Gate">Decides per prompt (gate actor); may hold state (<see cref="IGatePolicy.ExportState"/>).</param>
/// <param name="Advantage">The group estimator the gate uses; when it requires batch normalisation, the pipeline
/// runs <see cref="BatchAdvantageNormalizer.Normalize"/> on a step's decisions.</param>
/// <param name="Loss">The tensor loss (learner).</param>
/// <param name="GradientGuard">Clip and skip rule after the backward pass (learner).</param>
public sealed record Algorithm(
    AlgorithmConfig Config,
    IGatePolicy Gate,
    IAdvantageEstimator Advantage,
    UpgeLoss Loss,
    GradientGuard GradientGuard);
