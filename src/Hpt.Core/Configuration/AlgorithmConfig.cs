using Hpt.Core.Upge;

namespace Hpt.Core.Configuration;

/// <summary>
/// Every knob of an algorithm (keys <c>hpt.algorithm.*</c>, listed with their meaning in <see cref="AlgorithmSettings"/>).
/// A preset is one of these (<see cref="AlgorithmPresets"/>); a new algorithm is a new record, not new code.
/// The defaults are GRPO with a PPO clip, which no preset relies on: every preset states its parts.
/// </summary>
public sealed record AlgorithmConfig
{
    /// <summary><c>algorithm.name</c>: a label for logs (the preset's name).</summary>
    public string Name { get; init; } = "custom";

    /// <summary><c>algorithm.denominator</c>: pi_ref for rollout rows.</summary>
    public DenominatorKind Denominator { get; init; } = DenominatorKind.Old;

    /// <summary><c>algorithm.mask</c>: the stabilisation mask for rollout rows.</summary>
    public MaskKind Mask { get; init; } = MaskKind.PpoClip;

    /// <summary><c>algorithm.eps-low</c>: clip below at 1 - eps-low (ppo-clip, dual-clip, cispo).</summary>
    public double EpsLow { get; init; } = 0.2;

    /// <summary><c>algorithm.eps-high</c>: clip above at 1 + eps-high (0.28 = DAPO's clip-higher).</summary>
    public double EpsHigh { get; init; } = 0.2;

    /// <summary><c>algorithm.dual-clip-c</c>: dual-clip's lower bound C * A for negative advantages.</summary>
    public double DualClipC { get; init; } = 3.0;

    /// <summary><c>algorithm.off-policy-correction</c>: the decoupled objective's behaviour weight (auto = on when samples can be stale).</summary>
    public OffPolicyCorrectionKind OffPolicyCorrection { get; init; } = OffPolicyCorrectionKind.Auto;

    /// <summary>
    /// <c>algorithm.tis-cap</c>: the cap C of the behaviour weight min(pi_prox / pi_behaviour, C) (2 = the truncated
    /// IS of Yao et al. 2025); used when the correction is on.
    /// </summary>
    public double TisCap { get; init; } = 2.0;

    /// <summary><c>algorithm.advantage</c>: the group advantage estimator the gate uses.</summary>
    public AdvantageKind Advantage { get; init; } = AdvantageKind.Grpo;

    /// <summary><c>algorithm.advantage-shaping</c>: tensor-side change of rollout advantages (SRFT).</summary>
    public AdvantageShapingKind AdvantageShaping { get; init; } = AdvantageShapingKind.None;

    /// <summary><c>algorithm.aggregation</c>: reduction of the RL term.</summary>
    public AggregationKind Aggregation { get; init; } = AggregationKind.TokenMean;

    /// <summary>
    /// <c>algorithm.aggregation-constant</c>: the divisor of seq-mean-token-sum and token-sum. Null (spelled
    /// <c>max-new-tokens</c>) = the generation budget, as the official code divides by its max response length (8192);
    /// a pipeline resolves it to hpt.rollout.max-new-tokens (<see cref="ForPipeline"/>), a bare loss uses 8192.
    /// </summary>
    public double? AggregationConstant { get; init; }

    /// <summary>The official scripts' max response length: the constant of a loss built outside a pipeline.</summary>
    public const double OfficialResponseBudget = 8192;

    /// <summary><c>algorithm.offline-denominator</c>: pi_ref for expert rows trained as off-policy RL rows.</summary>
    public DenominatorKind OfflineDenominator { get; init; } = DenominatorKind.One;

    /// <summary><c>algorithm.shaping</c>: f in A * f(r) for expert RL rows.</summary>
    public ShapingKind Shaping { get; init; } = ShapingKind.None;

    /// <summary><c>algorithm.shaping-gamma</c>: the 0.1 in LUFFY's p / (p + 0.1).</summary>
    public double ShapingGamma { get; init; } = 0.1;

    /// <summary><c>algorithm.offline-coef</c>: coefficient of the off-policy expert term.</summary>
    public double OfflineCoef { get; init; } = 1.0;

    /// <summary><c>algorithm.sft-aggregation</c>: reduction of the SFT term.</summary>
    public AggregationKind SftAggregation { get; init; } = AggregationKind.TokenMean;

    /// <summary><c>algorithm.sft-weighting</c>: per-row factor on the SFT term.</summary>
    public SftWeightingKind SftWeighting { get; init; } = SftWeightingKind.None;

    /// <summary><c>algorithm.sft-coef</c>: c_sft in alpha L_RL + beta c_sft L_SFT.</summary>
    public double SftCoef { get; init; } = 1.0;

    /// <summary><c>algorithm.entropy-coef</c>: entropy bonus coefficient (official: 0.001).</summary>
    public double EntropyCoef { get; init; }

    /// <summary><c>algorithm.kl</c>: none | k1 | k2 | k3, KL estimator to a frozen reference.</summary>
    public KlEstimator Kl { get; init; } = KlEstimator.None;

    /// <summary><c>algorithm.kl-coef</c>: KL coefficient.</summary>
    public double KlCoef { get; init; }

    /// <summary><c>algorithm.grad-clip</c>: global gradient-norm clip; 0 = no clipping.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary><c>algorithm.skip-grad-norm-above</c>: skip an update whose pre-clip norm is above this; 0 = never.</summary>
    public double SkipGradNormAbove { get; init; }

    /// <summary><c>algorithm.success-threshold</c>: a rollout counts as correct when its reward is at least this.</summary>
    public double SuccessThreshold { get; init; } = 1.0;

    /// <summary>Keys <c>algorithm.gate.*</c>.</summary>
    public GateConfig Gate { get; init; } = new();

    /// <summary>
    /// This algorithm as a pipeline runs it: <c>off-policy-correction = auto</c> becomes on exactly when a trained sample
    /// can be older than the learner (<paramref name="samplesCanBeStale"/>), and an aggregation constant left to the
    /// generation budget becomes <paramref name="generationBudget"/>. Explicit values are kept.
    /// </summary>
    public AlgorithmConfig ForPipeline(bool samplesCanBeStale, int generationBudget) => this with
    {
        OffPolicyCorrection = OffPolicyCorrection != OffPolicyCorrectionKind.Auto ? OffPolicyCorrection
            : samplesCanBeStale ? OffPolicyCorrectionKind.On : OffPolicyCorrectionKind.Off,
        AggregationConstant = AggregationConstant ?? generationBudget,
    };
}
