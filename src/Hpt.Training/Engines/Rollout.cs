namespace Hpt.Training.Engines;

/// <summary>
/// One sampled response. <paramref name="TokenVersions"/> holds, per response token, the policy version that sampled
/// it: a weight update that lands mid-generation makes a sample span two versions, and the learner's off-policy
/// correction needs to know which tokens came from which.
/// </summary>
public sealed record Rollout(
    string Text,
    int[] PromptTokens,
    int[] ResponseTokens,
    float[] BehaviourLogProbs,
    long[] TokenVersions,
    bool Truncated)
{
    /// <summary>The oldest policy version any token of this sample came from (staleness is measured from it).</summary>
    public long OldestVersion => TokenVersions.Length == 0 ? long.MaxValue : TokenVersions.Min();
}
