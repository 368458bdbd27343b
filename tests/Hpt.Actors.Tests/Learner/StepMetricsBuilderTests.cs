using Hpt.Actors.Learner;
using Hpt.Actors.Protocol;
using Hpt.Actors.Tests.Doubles;
using Hpt.Core.Gating;
using Hpt.Training.Engines;

namespace Hpt.Actors.Tests.Learner;

public sealed class StepMetricsBuilderTests
{
    private static readonly LearnerStepResult Result = new(0, 0, 0, 0, 0, false, 0, 0) { TruncatedTokenFraction = 0.25, ProximalSeconds = 0.5 };

    private static TrainOnPrompt Prompt(long seq, int rollouts, bool expert)
    {
        var rows = Enumerable.Range(0, rollouts).Select(_ => new TrainRow(Fixtures.Rollout("x", 0), null, 0, 1, 0)).ToList();
        if (expert) rows.Add(new TrainRow(null, "demo", 0, 1, 0));
        var group = Fixtures.Scored(seq, rows.Where(r => r.Rollout is not null).Select(r => r.Rollout!).ToArray(), new double[rollouts]);
        return new TrainOnPrompt(group, expert ? GateRoute.Mixed : GateRoute.RlOnly, 0, 0, rows);
    }

    [Fact]
    public void Luffy_groups_read_one_eighth_per_sample_and_one_per_prompt()
    {
        // LUFFY: 7 rollouts + 1 demonstration in every group. The paper's Figure 6 counts samples: 1/8.
        var metrics = StepMetricsBuilder.Build(1, [Prompt(0, 7, true), Prompt(1, 7, true)], [0, 0], Result, 1, 0, 0);
        Assert.Equal(1.0 / 8, metrics.OfflineSampleRatio, 12);
        Assert.Equal(1.0, metrics.OfflinePromptRatio);
    }

    [Fact]
    public void Hpt_expert_prompts_count_one_sample_each()
    {
        // HPT replaces a gated prompt's 8 rollouts by its one demonstration: 1 expert row among 1 + 8 rows.
        var metrics = StepMetricsBuilder.Build(1, [Prompt(0, 0, true), Prompt(1, 8, false)], [0, 0], Result, 1, 0, 0);
        Assert.Equal(1.0 / 9, metrics.OfflineSampleRatio, 12);
        Assert.Equal(0.5, metrics.OfflinePromptRatio);
        Assert.Equal((0.25, 0.5), (metrics.TruncatedTokenFraction, metrics.ProximalSeconds));
    }
}
