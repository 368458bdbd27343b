using Hpt.Core.Gating;

namespace Hpt.Core.Configuration;

/// <summary>
/// Every algorithm of the paper's Table 1, and HPT, as data (<c>algorithm.preset = name</c>). Where the paper's text
/// and the official code differ, the preset says which it follows; docs/algorithms.md has the table.
/// </summary>
public static class AlgorithmPresets
{
    /// <summary>
    /// The released HPT/LUFFY/SRFT scripts' common loss (TsinghuaC3I/Unify-Post-Training): pi_old ratio with no clip
    /// (<c>loss_remove_clip=True</c>), Dr.GRPO advantages, RL token sum / 8192 (<c>loss_remove_token_mean=True</c>),
    /// SFT token mean over the micro-batch, entropy bonus 0.001, grad clip 1.0, no KL; expert RL rows use pi_ref = 1.
    /// </summary>
    private static readonly AlgorithmConfig OfficialCode = new()
    {
        Denominator = DenominatorKind.Old,
        Mask = MaskKind.None,
        Advantage = AdvantageKind.DrGrpo,
        Aggregation = AggregationKind.TokenSum,
        AggregationConstant = null, // the max response length: 8192 in the scripts, hpt.rollout.max-new-tokens here
        OfflineDenominator = DenominatorKind.One,
        Shaping = ShapingKind.PolicyShaping,
        SftAggregation = AggregationKind.TokenMean,
        SftCoef = 1.0,
        EntropyCoef = 0.001,
        GradClip = 1.0,
    };

    /// <summary>SFT (Table 1 row 1): pi_ref = sg(pi_theta), A = 1, token mean of -log p over the demonstrations.</summary>
    public static AlgorithmConfig Sft { get; } = new()
    {
        Name = "sft",
        Denominator = DenominatorKind.Current,
        Mask = MaskKind.None,
        Advantage = AdvantageKind.Sft,
        SftAggregation = AggregationKind.TokenMean,
        Gate = new GateConfig { Policy = GatePolicyKind.Sft },
    };

    /// <summary>REINFORCE (Ahmadian et al. 2024): pi_ref = sg(pi_theta), A = +-1, the whole response as one action.</summary>
    public static AlgorithmConfig Reinforce { get; } = new()
    {
        Name = "reinforce",
        Denominator = DenominatorKind.Current,
        Mask = MaskKind.None,
        Advantage = AdvantageKind.Reinforce,
        Aggregation = AggregationKind.SeqMeanTokenSum,
        AggregationConstant = 1,
        Gate = new GateConfig { Policy = GatePolicyKind.Rl },
    };

    /// <summary>RLOO (Ahmadian et al. 2024): REINFORCE with the leave-one-out baseline.</summary>
    public static AlgorithmConfig Rloo { get; } = Reinforce with { Name = "rloo", Advantage = AdvantageKind.Rloo };

    /// <summary>GRPO (Shao et al. 2024): pi_old ratio, PPO clip 0.2, mean/std advantages, per-sequence token mean. No KL (set algorithm.kl = k3, kl-coef = 0.04 for the original).</summary>
    public static AlgorithmConfig Grpo { get; } = new()
    {
        Name = "grpo",
        Denominator = DenominatorKind.Old,
        Mask = MaskKind.PpoClip,
        EpsLow = 0.2,
        EpsHigh = 0.2,
        Advantage = AdvantageKind.Grpo,
        Aggregation = AggregationKind.SeqMeanTokenMean,
        Gate = new GateConfig { Policy = GatePolicyKind.Rl },
    };

    /// <summary>Dr.GRPO (Liu et al. 2025): GRPO without the std and with token sum / max length (set algorithm.aggregation-constant to the generation budget).</summary>
    public static AlgorithmConfig DrGrpo { get; } = Grpo with
    {
        Name = "dr-grpo",
        Advantage = AdvantageKind.DrGrpo,
        Aggregation = AggregationKind.SeqMeanTokenSum,
        AggregationConstant = null, // the generation budget
    };

    /// <summary>
    /// PPO-clip (Schulman et al. 2017) without a critic: GAE needs a value model, which this project does not train,
    /// so the advantage is REINFORCE++'s batch-whitened reward; token mean.
    /// </summary>
    public static AlgorithmConfig PpoClip { get; } = Grpo with
    {
        Name = "ppo-clip",
        Advantage = AdvantageKind.ReinforcePlusPlus,
        Aggregation = AggregationKind.TokenMean,
    };

    /// <summary>CISPO (MiniMax-M1): detached IS weight clipped above at 1 + 0.28 (no lower bound), token mean.</summary>
    public static AlgorithmConfig Cispo { get; } = Grpo with
    {
        Name = "cispo",
        Mask = MaskKind.Cispo,
        EpsLow = 1.0,
        EpsHigh = 0.28,
        Aggregation = AggregationKind.TokenMean,
    };

    /// <summary>GSPO (Zheng et al. 2025): length-normalised sequence ratio, clipped at 1 - 3e-4 / 1 + 4e-4, sequence mean.</summary>
    public static AlgorithmConfig Gspo { get; } = Grpo with
    {
        Name = "gspo",
        Denominator = DenominatorKind.GspoSequence,
        EpsLow = 3e-4,
        EpsHigh = 4e-4,
    };

    /// <summary>LUFFY (Yan et al. 2025) as in its official script: rollouts + 1 expert per group, expert term A * p / (p + 0.1), no clip, sum / 8192.</summary>
    public static AlgorithmConfig Luffy { get; } = OfficialCode with
    {
        Name = "luffy",
        SftCoef = 0.0,
        Gate = new GateConfig { Policy = GatePolicyKind.Luffy },
    };

    /// <summary>SRFT (Fu et al. 2025) as the official HPT repository implements it (<c>offline_loss_type=srft</c>).</summary>
    public static AlgorithmConfig Srft { get; } = OfficialCode with
    {
        Name = "srft",
        Denominator = DenominatorKind.Current,
        AdvantageShaping = AdvantageShapingKind.SrftEntropy,
        SftWeighting = SftWeightingKind.SrftEntropy,
        Gate = new GateConfig { Policy = GatePolicyKind.Srft },
    };

    /// <summary>
    /// HPT as the paper's text writes it (Eq. 9-12, gamma = 0): GRPO mean/std advantages, PPO clip 0.2,
    /// (1/n) sum_i sum_t, SFT per-trajectory token mean, beta in {0, 1}, no entropy bonus.
    /// </summary>
    public static AlgorithmConfig Hpt { get; } = new()
    {
        Name = "hpt",
        Denominator = DenominatorKind.Old,
        Mask = MaskKind.PpoClip,
        EpsLow = 0.2,
        EpsHigh = 0.2,
        Advantage = AdvantageKind.Grpo,
        Aggregation = AggregationKind.SeqMeanTokenSum,
        AggregationConstant = 1,
        SftAggregation = AggregationKind.SeqMeanTokenMean,
        SftCoef = 1.0,
        Gate = new GateConfig { Policy = GatePolicyKind.Threshold, Gamma = 0.0 },
    };

    /// <summary>
    /// HPT as the released code runs it (train.sh, Qwen2.5-Math-7B): gate counted in correct rollouts (at most 0),
    /// Dr.GRPO advantages, no clip, RL token sum / 8192, SFT token mean, c_sft 1.0, entropy 0.001, grad clip 1.0,
    /// skip the update when the grad norm is above 80.
    /// </summary>
    public static AlgorithmConfig HptOfficial { get; } = OfficialCode with
    {
        Name = "hpt-official",
        SkipGradNormAbove = 80,
        Gate = new GateConfig { Policy = GatePolicyKind.CorrectCount, MaxCorrect = 0 },
    };

    /// <summary>train_llama.sh: the same with at most 2 of 8 correct, and no skip rule.</summary>
    public static AlgorithmConfig HptOfficialLlama { get; } = HptOfficial with
    {
        Name = "hpt-official-llama",
        SkipGradNormAbove = 0,
        Gate = HptOfficial.Gate with { MaxCorrect = 2 },
    };

    /// <summary>Table 5 "Mix/ON": gated prompts train SFT (coef 0.1) plus LUFFY's off-policy term (coef 1.0) on the expert.</summary>
    public static AlgorithmConfig MixOn { get; } = HptOfficial with
    {
        Name = "mix-on",
        SftCoef = 0.1,
        OfflineCoef = 1.0,
        Gate = HptOfficial.Gate with { ExpertTraining = ExpertTraining.SftAndOffPolicy },
    };

    /// <summary>Table 5 "OFF/ON": gated prompts train LUFFY's off-policy term on the expert instead of SFT.</summary>
    public static AlgorithmConfig OffOn { get; } = HptOfficial with
    {
        Name = "off-on",
        Gate = HptOfficial.Gate with { ExpertTraining = ExpertTraining.OffPolicy },
    };

    /// <summary>The SFT -> GRPO baseline: SFT on the demonstrations until step 100, then GRPO.</summary>
    public static AlgorithmConfig SftThenGrpo { get; } = Grpo with
    {
        Name = "sft-then-grpo",
        Gate = new GateConfig { Policy = GatePolicyKind.SftThenRl, SwitchStep = 100 },
    };

    /// <summary>All presets by name.</summary>
    public static IReadOnlyDictionary<string, AlgorithmConfig> All { get; } = new[]
    {
        Sft, Reinforce, Rloo, Grpo, DrGrpo, PpoClip, Cispo, Gspo, Luffy, Srft, Hpt, HptOfficial, HptOfficialLlama,
        MixOn, OffOn, SftThenGrpo,
    }.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The preset of that name; an unknown name fails with the list of valid ones.</summary>
    public static AlgorithmConfig Get(string name) =>
        All.TryGetValue(name.Trim(), out var preset)
            ? preset
            : throw new FormatException(
                $"Unknown algorithm preset '{name}'; valid presets: {string.Join(", ", All.Keys)}.");
}
