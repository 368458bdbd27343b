using Hpt.Core.Gating;
using Hpt.Core.Upge;

namespace Hpt.Core.Configuration;

/// <summary>
/// The keys of <c>hpt.algorithm</c> besides <c>preset</c>, typed: <c>preset</c> picks the starting record from
/// <see cref="AlgorithmPresets"/>, and every key set next to it overrides one field of that record
/// (<see cref="Apply"/>). hocon/algorithm.conf documents each key.
/// </summary>
public static class AlgorithmSettings
{
    public const string PresetKey = "preset";

    /// <summary>The value of <c>aggregation-constant</c> that means the generation budget.</summary>
    public const string GenerationBudget = "max-new-tokens";

    public static IReadOnlyList<AlgorithmKey> Keys { get; } =
    [
        Text("name", "label for logs", c => c.Name, (c, v) => c with { Name = v }),
        Choice<DenominatorKind>("denominator", "pi_ref of rollout rows",
            c => c.Denominator, (c, v) => c with { Denominator = v }),
        Choice<MaskKind>("mask", "stabilisation mask of rollout rows", c => c.Mask, (c, v) => c with { Mask = v }),
        Number("eps-low", "clip below at 1 - eps-low", c => c.EpsLow, (c, v) => c with { EpsLow = v }),
        Number("eps-high", "clip above at 1 + eps-high", c => c.EpsHigh, (c, v) => c with { EpsHigh = v }),
        Number("dual-clip-c", "dual clip's C", c => c.DualClipC, (c, v) => c with { DualClipC = v }),
        Choice<OffPolicyCorrectionKind>("off-policy-correction",
            "decoupled objective: weight rollout tokens by min(pi_prox / pi_behaviour, tis-cap); auto = on when samples can be stale",
            c => c.OffPolicyCorrection, (c, v) => c with { OffPolicyCorrection = v }),
        Number("tis-cap", "cap of the behaviour weight pi_prox / pi_behaviour",
            c => c.TisCap, (c, v) => c with { TisCap = v }),
        Choice<AdvantageKind>("advantage", "group advantage estimator",
            c => c.Advantage, (c, v) => c with { Advantage = v }),
        Choice<AdvantageShapingKind>("advantage-shaping", "tensor-side advantage change (SRFT)",
            c => c.AdvantageShaping, (c, v) => c with { AdvantageShaping = v }),
        Choice<AggregationKind>("aggregation", "reduction of the RL term",
            c => c.Aggregation, (c, v) => c with { Aggregation = v }),
        new NumberOrWordKey("aggregation-constant",
            $"divisor of seq-mean-token-sum and token-sum (a number, or {GenerationBudget} = hpt.rollout.max-new-tokens)",
            GenerationBudget, c => c.AggregationConstant, (c, v) => c with { AggregationConstant = v }),
        Choice<DenominatorKind>("offline-denominator", "pi_ref of expert rows trained as RL rows",
            c => c.OfflineDenominator, (c, v) => c with { OfflineDenominator = v }),
        Choice<ShapingKind>("shaping", "likelihood shaping of expert RL rows",
            c => c.Shaping, (c, v) => c with { Shaping = v }),
        Number("shaping-gamma", "gamma of p / (p + gamma)",
            c => c.ShapingGamma, (c, v) => c with { ShapingGamma = v }),
        Number("offline-coef", "coefficient of the off-policy expert term",
            c => c.OfflineCoef, (c, v) => c with { OfflineCoef = v }),
        Choice<AggregationKind>("sft-aggregation", "reduction of the SFT term",
            c => c.SftAggregation, (c, v) => c with { SftAggregation = v }),
        Choice<SftWeightingKind>("sft-weighting", "per-row factor on the SFT term",
            c => c.SftWeighting, (c, v) => c with { SftWeighting = v }),
        Number("sft-coef", "c_sft", c => c.SftCoef, (c, v) => c with { SftCoef = v }),
        Number("entropy-coef", "entropy bonus coefficient",
            c => c.EntropyCoef, (c, v) => c with { EntropyCoef = v }),
        Choice<KlEstimator>("kl", "KL estimator to the reference", c => c.Kl, (c, v) => c with { Kl = v }),
        Number("kl-coef", "KL coefficient", c => c.KlCoef, (c, v) => c with { KlCoef = v }),
        Number("grad-clip", "gradient-norm clip; 0 = none", c => c.GradClip, (c, v) => c with { GradClip = v }),
        Number("skip-grad-norm-above", "skip the update above this pre-clip norm; 0 = never",
            c => c.SkipGradNormAbove, (c, v) => c with { SkipGradNormAbove = v }),
        Number("success-threshold", "reward at which a rollout counts as correct",
            c => c.SuccessThreshold, (c, v) => c with { SuccessThreshold = v }),
        Choice<GatePolicyKind>("gate.policy", "gate policy",
            c => c.Gate.Policy, (c, v) => c with { Gate = c.Gate with { Policy = v } }),
        Number("gate.gamma", "threshold on P (initial gamma for scheduled-gamma / target-ratio)",
            c => c.Gate.Gamma, (c, v) => c with { Gate = c.Gate with { Gamma = v } }),
        Integer("gate.max-correct", "correct-count: expert when at most this many rollouts are correct", int.MaxValue,
            c => c.Gate.MaxCorrect, (c, v) => c with { Gate = c.Gate with { MaxCorrect = (int)v } }),
        Choice<ExpertTraining>("gate.expert-training", "how a gated prompt's expert row is trained",
            c => c.Gate.ExpertTraining, (c, v) => c with { Gate = c.Gate with { ExpertTraining = v } }),
        Number("gate.soft-low", "soft: P where alpha leaves 0",
            c => c.Gate.SoftLow, (c, v) => c with { Gate = c.Gate with { SoftLow = v } }),
        Number("gate.soft-high", "soft: P where alpha reaches 1",
            c => c.Gate.SoftHigh, (c, v) => c with { Gate = c.Gate with { SoftHigh = v } }),
        Number("gate.gamma-end", "scheduled-gamma: final gamma",
            c => c.Gate.GammaEnd, (c, v) => c with { Gate = c.Gate with { GammaEnd = v } }),
        Integer("gate.schedule-steps", "scheduled-gamma: step at which gamma-end is reached", long.MaxValue,
            c => c.Gate.ScheduleSteps, (c, v) => c with { Gate = c.Gate with { ScheduleSteps = v } }),
        Number("gate.target-offline-ratio", "target-ratio: wanted expert rows / all rows",
            c => c.Gate.TargetOfflineRatio, (c, v) => c with { Gate = c.Gate with { TargetOfflineRatio = v } }),
        Number("gate.adapt-rate", "target-ratio: gamma change per unit of ratio error",
            c => c.Gate.AdaptRate, (c, v) => c with { Gate = c.Gate with { AdaptRate = v } }),
        Integer("gate.switch-step", "sft-then-rl: first RL step", long.MaxValue,
            c => c.Gate.SwitchStep, (c, v) => c with { Gate = c.Gate with { SwitchStep = v } }),
    ];

    /// <summary>
    /// <paramref name="preset"/> with the value of each key in <paramref name="keys"/> read from <paramref name="values"/>,
    /// in order. A name that is not a key throws <see cref="KeyNotFoundException"/>; callers check names against
    /// <see cref="Find"/> first to report them their own way.
    /// </summary>
    public static AlgorithmConfig Apply(AlgorithmConfig preset, IEnumerable<string> keys, IAlgorithmValues values) =>
        keys.Aggregate(preset, (config, name) =>
            (Find(name) ?? throw new KeyNotFoundException($"'{name}' is not a key of hpt.algorithm")).Apply(config, values));

    /// <summary>The key of that name (relative to hpt.algorithm), or null.</summary>
    public static AlgorithmKey? Find(string name) => Keys.FirstOrDefault(k => k.Name == name);

    private static AlgorithmKey Text(string key, string doc, Func<AlgorithmConfig, string> get,
        Func<AlgorithmConfig, string, AlgorithmConfig> set) => new TextKey(key, doc, get, set);

    private static AlgorithmKey Number(string key, string doc, Func<AlgorithmConfig, double> get,
        Func<AlgorithmConfig, double, AlgorithmConfig> set) => new NumberKey(key, doc, get, set);

    private static AlgorithmKey Integer(string key, string doc, long max, Func<AlgorithmConfig, long> get,
        Func<AlgorithmConfig, long, AlgorithmConfig> set) => new IntegerKey(key, doc, 0, max, get, set);

    private static AlgorithmKey Choice<T>(string key, string doc, Func<AlgorithmConfig, T> get,
        Func<AlgorithmConfig, T, AlgorithmConfig> set) where T : struct, Enum =>
        new ChoiceKey<T>(key, $"{doc} ({string.Join(" | ", ConfigNames.Valid<T>())})", get, set);
}
