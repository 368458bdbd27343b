namespace Hpt.Core.Configuration;

// The names a configuration file uses for each component slot. ConfigNames spells each member in kebab case
// (PpoClip -> "ppo-clip"); AlgorithmFactory maps each member to its component, whose Name is the same spelling.

/// <summary><c>algorithm.denominator</c>, <c>algorithm.offline-denominator</c>: current | old | one | gspo-sequence.</summary>
public enum DenominatorKind
{
    Current,
    Old,
    One,
    GspoSequence,
}

/// <summary><c>algorithm.mask</c>: none | ppo-clip | dual-clip | cispo.</summary>
public enum MaskKind
{
    None,
    PpoClip,
    DualClip,
    Cispo,
}

/// <summary>
/// <c>algorithm.off-policy-correction</c>: auto | on | off. On = the decoupled objective of asynchronous RL (AReaL):
/// each rollout token's objective is weighted by min(pi_prox / pi_behaviour, tis-cap). Auto = on whenever the pipeline
/// can train a sample older than the learner (max-staleness &gt; 0 or stale-samples = train), off at eta = 0.
/// </summary>
public enum OffPolicyCorrectionKind
{
    Auto,
    On,
    Off,
}

/// <summary><c>algorithm.shaping</c>: none | policy-shaping.</summary>
public enum ShapingKind
{
    None,
    PolicyShaping,
}

/// <summary><c>algorithm.advantage</c>: sft | reinforce | grpo | dr-grpo | rloo | reinforce++.</summary>
public enum AdvantageKind
{
    Sft,
    Reinforce,
    Grpo,
    DrGrpo,
    Rloo,
    ReinforcePlusPlus,
}

/// <summary><c>algorithm.advantage-shaping</c>: none | srft-entropy.</summary>
public enum AdvantageShapingKind
{
    None,
    SrftEntropy,
}

/// <summary><c>algorithm.aggregation</c>, <c>algorithm.sft-aggregation</c>: token-mean | seq-mean-token-mean | seq-mean-token-sum | token-sum.</summary>
public enum AggregationKind
{
    TokenMean,
    SeqMeanTokenMean,
    SeqMeanTokenSum,
    TokenSum,
}

/// <summary><c>algorithm.sft-weighting</c>: none | srft-entropy.</summary>
public enum SftWeightingKind
{
    None,
    SrftEntropy,
}

/// <summary>
/// <c>algorithm.gate.policy</c>: threshold | correct-count | soft | scheduled-gamma | target-ratio | sft-then-rl | sft |
/// rl | luffy | srft.
/// </summary>
public enum GatePolicyKind
{
    Threshold,
    CorrectCount,
    Soft,
    ScheduledGamma,
    TargetRatio,
    SftThenRl,
    Sft,
    Rl,
    Luffy,
    Srft,
}
