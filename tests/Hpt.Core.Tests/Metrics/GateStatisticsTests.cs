using Hpt.Core.Advantages;
using Hpt.Core.Gating;
using Hpt.Core.Metrics;

namespace Hpt.Core.Tests.Metrics;

public sealed class GateStatisticsTests
{
    [Fact]
    public void Offline_data_ratio_is_expert_rows_over_all_rows()
    {
        var gate = new ThresholdGate(0.0, new DrGrpoAdvantage());
        GateDecision[] decisions =
        [
            gate.Decide(new("a", [0, 0, 0, 0], 0, true)),
            gate.Decide(new("b", [1, 0, 0, 0], 0, true)),
            gate.Decide(new("c", [1, 1, 1, 1], 0, true)),
        ];
        var stats = GateStatistics.From(decisions);
        Assert.Equal((3, 2, 1, 0, 0), (stats.Prompts, stats.RlOnlyPrompts, stats.ExpertOnlyPrompts, stats.MixedPrompts,
            stats.DroppedPrompts));
        Assert.Equal((8, 1), (stats.RolloutRows, stats.ExpertRows));
        Assert.Equal(1.0 / 9, stats.OfflinePromptRatio, 12);
        Assert.Equal((0 + 0.25 + 1) / 3, stats.MeanAccuracy, 12);
    }

    [Fact]
    public void Empty_step_has_zero_ratio()
    {
        Assert.Equal(0.0, GateStatistics.From([]).OfflinePromptRatio);
    }
}
