using Hpt.Core.Gating;

namespace Hpt.Core.Configuration;

/// <summary>The gate's knobs (keys <c>algorithm.gate.*</c>); which ones matter depends on <see cref="Policy"/>.</summary>
public sealed record GateConfig
{
    /// <summary><c>algorithm.gate.policy</c>: which gate policy decides per prompt.</summary>
    public GatePolicyKind Policy { get; init; } = GatePolicyKind.Threshold;

    /// <summary><c>algorithm.gate.gamma</c>: threshold on P (threshold; start of scheduled-gamma; initial target-ratio).</summary>
    public double Gamma { get; init; }

    /// <summary><c>algorithm.gate.max-correct</c>: correct-count sends a prompt to its expert when at most this many rollouts are correct.</summary>
    public int MaxCorrect { get; init; }

    /// <summary><c>algorithm.gate.expert-training</c>: sft | off-policy | sft-and-off-policy, for gated prompts.</summary>
    public ExpertTraining ExpertTraining { get; init; } = ExpertTraining.Sft;

    /// <summary><c>algorithm.gate.soft-low</c>: soft gating's P at which alpha starts rising from 0.</summary>
    public double SoftLow { get; init; }

    /// <summary><c>algorithm.gate.soft-high</c>: soft gating's P at which alpha reaches 1.</summary>
    public double SoftHigh { get; init; } = 0.5;

    /// <summary><c>algorithm.gate.gamma-end</c>: scheduled-gamma's final gamma.</summary>
    public double GammaEnd { get; init; }

    /// <summary><c>algorithm.gate.schedule-steps</c>: scheduled-gamma reaches gamma-end at this step.</summary>
    public long ScheduleSteps { get; init; } = 500;

    /// <summary><c>algorithm.gate.target-offline-ratio</c>: target-ratio's wanted expert rows / all rows.</summary>
    public double TargetOfflineRatio { get; init; } = 0.1;

    /// <summary><c>algorithm.gate.adapt-rate</c>: target-ratio's gamma change per unit of ratio error per step.</summary>
    public double AdaptRate { get; init; } = 0.5;

    /// <summary><c>algorithm.gate.switch-step</c>: sft-then-rl trains SFT before this step and RL from it on.</summary>
    public long SwitchStep { get; init; } = 100;
}
