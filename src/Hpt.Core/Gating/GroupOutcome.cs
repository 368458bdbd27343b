namespace Hpt.Core.Gating;

/// <summary>
/// What the gate sees for one prompt: the verifier rewards of its n rollouts, the training step, and whether an expert
/// demonstration exists. <paramref name="ExpertReward"/> is the verifier's score of the demonstration; the official
/// code scores it too, and it enters the group when the expert is trained as an off-policy RL row (LUFFY, SRFT).
/// </summary>
public sealed record GroupOutcome(
    string PromptId,
    IReadOnlyList<double> Rewards,
    long Step,
    bool HasExpert,
    double ExpertReward = 1.0);
