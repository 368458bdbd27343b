using Hpt.Actors.Protocol;
using Hpt.Training.Engines;

namespace Hpt.Actors.Coordinator;

/// <summary>
/// What a generated group must satisfy before it is journaled: a forged or corrupt rollout (a token id outside the
/// vocabulary, a response longer than the limit, a non-finite log-prob) would crash the learner, and once journaled it
/// would crash it again on every restart. <see cref="Problem"/> names the first violation, or returns null.
/// </summary>
public sealed record IntakeLimits(int VocabSize, int MaxPromptTokens, int MaxNewTokens)
{
    /// <summary>
    /// The prompt codec's encoding (<c>PromptCodec.EncodePrompt</c>): every rollout's prompt tokens must be exactly the
    /// encoding of the coordinator's own prompt text, or a forged group would train the response against another
    /// prompt than the one it is scored for. Null: not checked (specs without a tokenizer).
    /// </summary>
    public Func<string, int[]>? EncodePrompt { get; init; }

    public string? Problem(GroupVerified verified, int samples, long policyVersion)
    {
        var group = verified.Group;
        if (group.Rollouts is null || group.Rollouts.Count != samples)
            return $"{group.Rollouts?.Count ?? 0} rollouts, expected hpt.pipeline.samples-per-prompt = {samples}";
        if (verified.Rewards is null || verified.Rewards.Length != samples) return $"{verified.Rewards?.Length ?? 0} rewards for {samples} rollouts";
        if (verified.Rewards.Any(r => !double.IsFinite(r)) || !double.IsFinite(verified.ExpertReward)) return "a reward is not finite";
        int[]? expected = null;
        for (var i = 0; i < group.Rollouts.Count; i++)
        {
            var r = group.Rollouts[i];
            if (r is null) return $"rollout {i} is missing";
            var problem = Check(r, policyVersion);
            if (problem is not null) return $"rollout {i}: {problem}";
            if (EncodePrompt is null) continue;
            // Encoded once per group, and only for a group that passed the cheap checks.
            expected ??= EncodePrompt(group.Work.Prompt);
            if (!r.PromptTokens.AsSpan().SequenceEqual(expected))
                return $"rollout {i}: its {r.PromptTokens.Length} prompt tokens are not the encoding of prompt {group.Work.Seq} " +
                       $"({expected.Length} tokens)";
        }
        return null;
    }

    private string? Check(Rollout r, long policyVersion)
    {
        if (r.PromptTokens is null || r.PromptTokens.Length == 0 || r.PromptTokens.Length > MaxPromptTokens)
            return $"{r.PromptTokens?.Length ?? 0} prompt tokens (1..{MaxPromptTokens} allowed)";
        if (r.ResponseTokens is null || r.ResponseTokens.Length > MaxNewTokens)
            return $"{r.ResponseTokens?.Length ?? 0} response tokens (at most hpt.rollout.max-new-tokens = {MaxNewTokens})";
        if (OutOfVocabulary(r.PromptTokens) is { } p) return $"prompt token id {p} is outside the vocabulary [0, {VocabSize})";
        if (OutOfVocabulary(r.ResponseTokens) is { } t) return $"response token id {t} is outside the vocabulary [0, {VocabSize})";
        if (r.BehaviourLogProbs is null || r.BehaviourLogProbs.Length != r.ResponseTokens.Length)
            return $"{r.BehaviourLogProbs?.Length ?? 0} log-probs for {r.ResponseTokens.Length} tokens";
        // Log-probs are <= 0; a little float round-off above 0 is tolerated.
        foreach (var lp in r.BehaviourLogProbs)
            if (!float.IsFinite(lp) || lp > 1e-3f) return $"log-prob {lp} is not a finite value <= 0";
        if (r.TokenVersions is null || r.TokenVersions.Length != r.ResponseTokens.Length)
            return $"{r.TokenVersions?.Length ?? 0} token versions for {r.ResponseTokens.Length} tokens";
        foreach (var v in r.TokenVersions)
            if (v < 0 || v > policyVersion) return $"token version {v} outside [0, {policyVersion}] (the policies that exist)";
        return null;
    }

    private int? OutOfVocabulary(int[] ids)
    {
        foreach (var id in ids)
            if (id < 0 || id >= VocabSize) return id;
        return null;
    }
}
