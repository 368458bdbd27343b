namespace Hpt.Core.Gating;

/// <summary>How an expert demonstration is trained when a gate sends a prompt to it (<c>algorithm.gate.expert-training</c>).</summary>
public enum ExpertTraining
{
    /// <summary>Supervised: -log p on the demonstration (HPT, the paper's "SFT/ON").</summary>
    Sft,

    /// <summary>Off-policy RL: pi_ref = 1, advantage-weighted, usually policy-shaped (the paper's "OFF/ON" ablation).</summary>
    OffPolicy,

    /// <summary>Both terms on the same row (the paper's "Mix/ON" ablation: SFT coef 0.1, off-policy coef 1.0).</summary>
    SftAndOffPolicy,
}
