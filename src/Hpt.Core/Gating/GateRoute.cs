namespace Hpt.Core.Gating;

/// <summary>Which rows of a prompt go into the update.</summary>
public enum GateRoute
{
    /// <summary>Only the n rollouts, as RL rows (weight Alpha); no expert row.</summary>
    RlOnly,

    /// <summary>
    /// Only the expert demonstration; the rollouts are dropped. The expert row is trained by SFT with weight Beta and/or
    /// as an off-policy RL row with weight ExpertRlWeight (HPT: SFT; the OFF/ON ablation: off-policy RL).
    /// </summary>
    ExpertOnly,

    /// <summary>The rollouts and the expert row together (LUFFY, SRFT, soft gating).</summary>
    Mixed,

    /// <summary>Nothing from this prompt is trained (e.g. pure SFT and no demonstration).</summary>
    Drop,
}
