namespace Hpt.Core.Upge;

/// <summary>
/// The parts one algorithm is made of: grad = mask x (1 / pi_ref) x A x grad f(pi_theta), aggregated, plus the SFT
/// term for expert rows and the extras. <see cref="Configuration.AlgorithmFactory"/> builds it from an
/// <see cref="Configuration.AlgorithmConfig"/>; the defaults are GRPO-like.
/// </summary>
public sealed record UpgeComponents
{
    /// <summary>pi_ref for rollout rows.</summary>
    public IReferenceDenominator Denominator { get; init; } = new OldPolicyDenominator();

    /// <summary>1_stable for rollout rows.</summary>
    public IStabilizationMask Mask { get; init; } = new PpoClipMask();

    /// <summary>Truncated IS against the behaviour policy for rollout rows; null = off.</summary>
    public TruncatedImportanceSampling? BehaviourCorrection { get; init; }

    /// <summary>Tensor-side change to the rollout rows' advantages (SRFT).</summary>
    public IAdvantageShaping AdvantageShaping { get; init; } = new NoAdvantageShaping();

    /// <summary>Reduction of the RL term (rollout rows and off-policy expert rows together, as LUFFY's code does).</summary>
    public ILossAggregation Aggregation { get; init; } = new TokenMeanAggregation();

    /// <summary>pi_ref for expert rows trained as off-policy RL rows (LUFFY/SRFT: 1). No mask applies to them.</summary>
    public IReferenceDenominator OfflineDenominator { get; init; } = new UnitDenominator();

    /// <summary>f in J = A * f(r) for expert RL rows (LUFFY: p / (p + 0.1)).</summary>
    public ILikelihoodShaping OfflineShaping { get; init; } = new IdentityShaping();

    /// <summary>Coefficient of the off-policy expert term (Mix/ON: 1.0).</summary>
    public double OfflineCoef { get; init; } = 1.0;

    /// <summary>Reduction of the SFT term.</summary>
    public ILossAggregation SftAggregation { get; init; } = new TokenMeanAggregation();

    /// <summary>Per-row factor on the SFT term (SRFT: 0.5 exp(-H)).</summary>
    public ISftWeighting SftWeighting { get; init; } = new UniformSftWeighting();

    /// <summary>c_sft: loss = alpha L_RL + beta c_sft L_SFT (official: 1.0; 0.3 for Qwen-1.5B; Mix/ON: 0.1).</summary>
    public double SftCoef { get; init; } = 1.0;

    /// <summary>Entropy bonus: loss -= EntropyCoef * mean entropy over all real tokens (official: 0.001).</summary>
    public double EntropyCoef { get; init; }

    /// <summary>KL estimator to a frozen reference; <see cref="KlEstimator.None"/> = no term.</summary>
    public KlEstimator Kl { get; init; } = KlEstimator.None;

    /// <summary>loss += KlCoef * mean per-token KL estimate over all real tokens.</summary>
    public double KlCoef { get; init; }
}
