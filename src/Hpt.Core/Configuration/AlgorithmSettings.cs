using System.Globalization;
using Hpt.Core.Gating;
using Hpt.Core.Upge;

namespace Hpt.Core.Configuration;

/// <summary>
/// The flat key = value view of <see cref="AlgorithmConfig"/>, for HOCON or command-line overrides.
/// <c>algorithm.preset</c> picks the starting record from <see cref="AlgorithmPresets"/>; every other key then
/// overrides one field. Unknown keys and values fail with the list of valid ones.
/// </summary>
public static class AlgorithmSettings
{
    public const string PresetKey = "algorithm.preset";

    /// <summary>The value of <c>algorithm.aggregation-constant</c> that means the generation budget.</summary>
    public const string GenerationBudget = "max-new-tokens";

    public static IReadOnlyList<SettingKey> Keys { get; } =
    [
        Text("algorithm.name", "label for logs", c => c.Name, (c, v) => c with { Name = v }),
        Choice<DenominatorKind>("algorithm.denominator", "pi_ref of rollout rows",
            c => c.Denominator, (c, v) => c with { Denominator = v }),
        Choice<MaskKind>("algorithm.mask", "stabilisation mask of rollout rows", c => c.Mask, (c, v) => c with { Mask = v }),
        Number("algorithm.eps-low", "clip below at 1 - eps-low", c => c.EpsLow, (c, v) => c with { EpsLow = v }),
        Number("algorithm.eps-high", "clip above at 1 + eps-high", c => c.EpsHigh, (c, v) => c with { EpsHigh = v }),
        Number("algorithm.dual-clip-c", "dual clip's C", c => c.DualClipC, (c, v) => c with { DualClipC = v }),
        Choice<OffPolicyCorrectionKind>("algorithm.off-policy-correction",
            "decoupled objective: weight rollout tokens by min(pi_prox / pi_behaviour, tis-cap); auto = on when samples can be stale",
            c => c.OffPolicyCorrection, (c, v) => c with { OffPolicyCorrection = v }),
        Number("algorithm.tis-cap", "cap of the behaviour weight pi_prox / pi_behaviour",
            c => c.TisCap, (c, v) => c with { TisCap = v }),
        Choice<AdvantageKind>("algorithm.advantage", "group advantage estimator",
            c => c.Advantage, (c, v) => c with { Advantage = v }),
        Choice<AdvantageShapingKind>("algorithm.advantage-shaping", "tensor-side advantage change (SRFT)",
            c => c.AdvantageShaping, (c, v) => c with { AdvantageShaping = v }),
        Choice<AggregationKind>("algorithm.aggregation", "reduction of the RL term",
            c => c.Aggregation, (c, v) => c with { Aggregation = v }),
        new SettingKey("algorithm.aggregation-constant",
            $"divisor of seq-mean-token-sum and token-sum (a number, or {GenerationBudget} = hpt.rollout.max-new-tokens)",
            c => c.AggregationConstant is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : GenerationBudget,
            (c, v) => c with
            {
                AggregationConstant = string.Equals(v.Trim(), GenerationBudget, StringComparison.OrdinalIgnoreCase)
                    ? null
                    : ParseNumber("algorithm.aggregation-constant", v),
            }),
        Choice<DenominatorKind>("algorithm.offline-denominator", "pi_ref of expert rows trained as RL rows",
            c => c.OfflineDenominator, (c, v) => c with { OfflineDenominator = v }),
        Choice<ShapingKind>("algorithm.shaping", "likelihood shaping of expert RL rows",
            c => c.Shaping, (c, v) => c with { Shaping = v }),
        Number("algorithm.shaping-gamma", "gamma of p / (p + gamma)",
            c => c.ShapingGamma, (c, v) => c with { ShapingGamma = v }),
        Number("algorithm.offline-coef", "coefficient of the off-policy expert term",
            c => c.OfflineCoef, (c, v) => c with { OfflineCoef = v }),
        Choice<AggregationKind>("algorithm.sft-aggregation", "reduction of the SFT term",
            c => c.SftAggregation, (c, v) => c with { SftAggregation = v }),
        Choice<SftWeightingKind>("algorithm.sft-weighting", "per-row factor on the SFT term",
            c => c.SftWeighting, (c, v) => c with { SftWeighting = v }),
        Number("algorithm.sft-coef", "c_sft", c => c.SftCoef, (c, v) => c with { SftCoef = v }),
        Number("algorithm.entropy-coef", "entropy bonus coefficient",
            c => c.EntropyCoef, (c, v) => c with { EntropyCoef = v }),
        Choice<KlEstimator>("algorithm.kl", "KL estimator to the reference", c => c.Kl, (c, v) => c with { Kl = v }),
        Number("algorithm.kl-coef", "KL coefficient", c => c.KlCoef, (c, v) => c with { KlCoef = v }),
        Number("algorithm.grad-clip", "gradient-norm clip; 0 = none", c => c.GradClip, (c, v) => c with { GradClip = v }),
        Number("algorithm.skip-grad-norm-above", "skip the update above this pre-clip norm; 0 = never",
            c => c.SkipGradNormAbove, (c, v) => c with { SkipGradNormAbove = v }),
        Number("algorithm.success-threshold", "reward at which a rollout counts as correct",
            c => c.SuccessThreshold, (c, v) => c with { SuccessThreshold = v }),
        Choice<GatePolicyKind>("algorithm.gate.policy", "gate policy",
            c => c.Gate.Policy, (c, v) => c with { Gate = c.Gate with { Policy = v } }),
        Number("algorithm.gate.gamma", "threshold on P (initial gamma for scheduled-gamma / target-ratio)",
            c => c.Gate.Gamma, (c, v) => c with { Gate = c.Gate with { Gamma = v } }),
        Integer("algorithm.gate.max-correct", "correct-count: expert when at most this many rollouts are correct",
            c => c.Gate.MaxCorrect, (c, v) => c with { Gate = c.Gate with { MaxCorrect = (int)v } }),
        Choice<ExpertTraining>("algorithm.gate.expert-training", "how a gated prompt's expert row is trained",
            c => c.Gate.ExpertTraining, (c, v) => c with { Gate = c.Gate with { ExpertTraining = v } }),
        Number("algorithm.gate.soft-low", "soft: P where alpha leaves 0",
            c => c.Gate.SoftLow, (c, v) => c with { Gate = c.Gate with { SoftLow = v } }),
        Number("algorithm.gate.soft-high", "soft: P where alpha reaches 1",
            c => c.Gate.SoftHigh, (c, v) => c with { Gate = c.Gate with { SoftHigh = v } }),
        Number("algorithm.gate.gamma-end", "scheduled-gamma: final gamma",
            c => c.Gate.GammaEnd, (c, v) => c with { Gate = c.Gate with { GammaEnd = v } }),
        Integer("algorithm.gate.schedule-steps", "scheduled-gamma: step at which gamma-end is reached",
            c => c.Gate.ScheduleSteps, (c, v) => c with { Gate = c.Gate with { ScheduleSteps = v } }),
        Number("algorithm.gate.target-offline-ratio", "target-ratio: wanted expert rows / all rows",
            c => c.Gate.TargetOfflineRatio, (c, v) => c with { Gate = c.Gate with { TargetOfflineRatio = v } }),
        Number("algorithm.gate.adapt-rate", "target-ratio: gamma change per unit of ratio error",
            c => c.Gate.AdaptRate, (c, v) => c with { Gate = c.Gate with { AdaptRate = v } }),
        Integer("algorithm.gate.switch-step", "sft-then-rl: first RL step",
            c => c.Gate.SwitchStep, (c, v) => c with { Gate = c.Gate with { SwitchStep = v } }),
    ];

    /// <summary>
    /// Builds a record from key = value pairs: start from <c>algorithm.preset</c> (default: the defaults of
    /// <see cref="AlgorithmConfig"/>), then apply every other key in order.
    /// </summary>
    public static AlgorithmConfig FromSettings(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var pairs = settings.ToArray();
        var preset = pairs.LastOrDefault(p => p.Key == PresetKey).Value;
        var config = preset is null ? new AlgorithmConfig() : AlgorithmPresets.Get(preset);
        foreach (var (key, value) in pairs.Where(p => p.Key != PresetKey))
        {
            var setting = Keys.FirstOrDefault(k => k.Key == key)
                ?? throw new FormatException(
                    $"Unknown configuration key '{key}'; valid keys: {PresetKey}, {string.Join(", ", Keys.Select(k => k.Key))}.");
            config = setting.Write(config, value);
        }
        return config;
    }

    /// <summary>Every key with its value, in <see cref="Keys"/> order (for logs and checkpoints).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ToSettings(AlgorithmConfig config) =>
        Keys.Select(k => new KeyValuePair<string, string>(k.Key, k.Read(config))).ToArray();

    private static SettingKey Text(string key, string doc, Func<AlgorithmConfig, string> get,
        Func<AlgorithmConfig, string, AlgorithmConfig> set) => new(key, doc, get, set);

    private static SettingKey Number(string key, string doc, Func<AlgorithmConfig, double> get,
        Func<AlgorithmConfig, double, AlgorithmConfig> set) =>
        new(key, doc, c => get(c).ToString("R", CultureInfo.InvariantCulture), (c, v) => set(c, ParseNumber(key, v)));

    private static SettingKey Integer(string key, string doc, Func<AlgorithmConfig, long> get,
        Func<AlgorithmConfig, long, AlgorithmConfig> set) =>
        new(key, doc, c => get(c).ToString(CultureInfo.InvariantCulture), (c, v) => set(c, ParseInteger(key, v)));

    private static SettingKey Choice<T>(string key, string doc, Func<AlgorithmConfig, T> get,
        Func<AlgorithmConfig, T, AlgorithmConfig> set) where T : struct, Enum =>
        new($"{key}", $"{doc} ({string.Join(" | ", ConfigNames.Valid<T>())})",
            c => ConfigNames.Format(get(c)), (c, v) => set(c, ConfigNames.Parse<T>(v, key)));

    private static double ParseNumber(string key, string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{key} must be a number, got '{text}'.");

    private static long ParseInteger(string key, string text) =>
        long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{key} must be an integer, got '{text}'.");
}
