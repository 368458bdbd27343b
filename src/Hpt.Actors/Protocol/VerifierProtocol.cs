namespace Hpt.Actors.Protocol;

/// <summary>Fact: every rollout of a group has its reward (0 for a check that timed out or crashed, with a warning logged).</summary>
public sealed record GroupVerified(RolloutsGenerated Group, double[] Rewards, int TimedOut) : IPipelineMessage;
