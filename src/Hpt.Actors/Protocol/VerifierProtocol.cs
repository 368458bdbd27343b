namespace Hpt.Actors.Protocol;

/// <summary>
/// Fact: every rollout of a group has its reward (0 for a check that timed out or crashed, with a warning logged).
/// The expert demonstration is scored too (off-policy gates put it in the group); 0 when there is none.
/// </summary>
public sealed record GroupVerified(RolloutsGenerated Group, double[] Rewards, double ExpertReward, int Failed) : IPipelineMessage;
