using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;
using Hpt.Training.Engines;

namespace Hpt.Actors.Persistence.Journal;

/// <summary>
/// <c>hpt.group-scored.v2</c>: a verified group as the journal keeps it, flat: the prompt as issued, who generated it
/// and when, the rollouts and their rewards. Only facts are stored (v1 also stored computed properties of the wire
/// message, and the seq and attempt three times); the coordinator rebuilds the gate's message from this. <c>Step</c> is
/// the policy version the prompt was issued at (<see cref="RolloutsGenerated.IssueVersion"/>; the bytes keep the old name).
/// </summary>
public sealed record StoredGroup(
    long Seq,
    int Attempt,
    int Epoch,
    string ProblemId,
    string Prompt,
    string Answer,
    string? Demonstration,
    long Step,
    string WorkerId,
    double Seconds,
    double IdleSeconds,
    StoredRollout[] Rollouts,
    double[] Rewards,
    double ExpertReward,
    int Failed)
{
    public static StoredGroup From(GroupScored e)
    {
        var g = e.Verified.Group;
        var w = g.Work;
        if (w.Seq != e.Seq || g.Attempt != e.Attempt)
            throw new ArgumentException($"group of prompt {w.Seq} attempt {g.Attempt} journaled as prompt {e.Seq} attempt {e.Attempt}");
        if (w.ProblemId != e.Problem.Id || w.Prompt != e.Problem.Prompt)
            throw new ArgumentException($"group of prompt {w.Seq} poses '{w.ProblemId}', journaled with problem '{e.Problem.Id}'");
        return new StoredGroup(e.Seq, e.Attempt, w.Epoch, w.ProblemId, w.Prompt, e.Problem.Answer, e.Problem.Demonstration, g.IssueVersion, g.WorkerId, g.Seconds,
            g.IdleSeconds, g.Rollouts.Select(StoredRollout.From).ToArray(), e.Verified.Rewards, e.Verified.ExpertReward, e.Verified.Failed);
    }

    public GroupScored ToEvent()
    {
        var work = new PromptWork(Seq, Epoch, ProblemId, Prompt);
        var group = new RolloutsGenerated(work, Attempt, Step, WorkerId, (Rollouts ?? []).Select(r => r.ToRollout()).ToArray(), Seconds)
        {
            IdleSeconds = IdleSeconds,
        };
        return new GroupScored(Seq, Attempt, new Hpt.Tasks.Problem(ProblemId, Prompt, Answer, Demonstration),
            new GroupVerified(group, Rewards ?? [], ExpertReward, Failed));
    }
}

/// <summary>One sampled response as stored: tokens, behaviour log-probs (non-finite ones as "-Infinity"/"NaN"), versions.</summary>
public sealed record StoredRollout(string Text, int[] PromptTokens, int[] ResponseTokens, float[] BehaviourLogProbs, long[] TokenVersions, bool Truncated)
{
    public static StoredRollout From(Rollout r) => new(r.Text, r.PromptTokens, r.ResponseTokens, r.BehaviourLogProbs, r.TokenVersions, r.Truncated);

    public Rollout ToRollout() => new(Text, PromptTokens ?? [], ResponseTokens ?? [], BehaviourLogProbs ?? [], TokenVersions ?? [], Truncated);
}
