using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;
using Hpt.Training.Engines;

namespace Hpt.Actors.Persistence.Journal;

/// <summary>
/// Reader of <c>hpt.group-scored.v1</c> (journals written before the journal had its own records): the wire
/// <c>GroupVerified</c> graph as System.Text.Json wrote it then. Never written. Its computed <c>OldestVersion</c>
/// fields are ignored (the rollouts' token versions say the same).
/// </summary>
public sealed record StoredGroupV1(long Seq, int Attempt, StoredGroupV1.VerifiedV1 Verified)
{
    public GroupScored ToEvent()
    {
        var w = Verified.Group.Work;
        return new(Seq, Attempt, new Hpt.Tasks.Problem(w.ProblemId, w.Prompt, w.Answer, w.Demonstration), Verified.ToMessage());
    }

    public sealed record VerifiedV1(GeneratedV1 Group, double[] Rewards, double ExpertReward, int Failed)
    {
        public GroupVerified ToMessage() => new(Group.ToMessage(), Rewards ?? [], ExpertReward, Failed);
    }

    public sealed record GeneratedV1(WorkV1 Work, int Attempt, long Step, string WorkerId, RolloutV1[] Rollouts, double Seconds)
    {
        public double IdleSeconds { get; init; }

        public RolloutsGenerated ToMessage() =>
            new(Work.ToMessage(), Attempt, Step, WorkerId, (Rollouts ?? []).Select(r => r.ToRollout()).ToArray(), Seconds) { IdleSeconds = IdleSeconds };
    }

    public sealed record RolloutV1(string Text, int[] PromptTokens, int[] ResponseTokens, float[] BehaviourLogProbs, long[] TokenVersions, bool Truncated)
    {
        public Rollout ToRollout() => new(Text, PromptTokens ?? [], ResponseTokens ?? [], BehaviourLogProbs ?? [], TokenVersions ?? [], Truncated);
    }

    public sealed record WorkV1(long Seq, int Epoch, string ProblemId, string Prompt, string Answer, string? Demonstration)
    {
        public PromptWork ToMessage() => new(Seq, Epoch, ProblemId, Prompt);
    }
}
