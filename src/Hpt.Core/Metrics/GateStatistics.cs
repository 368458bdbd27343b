using Hpt.Core.Gating;

namespace Hpt.Core.Metrics;

/// <summary>
/// Per-step numbers about the gate's decisions (plain C#, for the coordinator's logs): how prompts were routed, the
/// offline-data ratio of the paper's Figure 6 (expert rows / all rows), and the mean rollout accuracy P.
/// </summary>
public sealed record GateStatistics(
    int Prompts,
    int RlOnlyPrompts,
    int ExpertOnlyPrompts,
    int MixedPrompts,
    int DroppedPrompts,
    int RolloutRows,
    int ExpertRows,
    double MeanAccuracy)
{
    public double OfflinePromptRatio => RolloutRows + ExpertRows > 0 ? (double)ExpertRows / (RolloutRows + ExpertRows) : 0.0;

    public static GateStatistics From(IReadOnlyCollection<GateDecision> decisions)
    {
        var rollouts = 0;
        var experts = 0;
        foreach (var row in decisions.SelectMany(d => d.TrainingRows()))
        {
            if (row.IsExpert)
            {
                experts++;
            }
            else
            {
                rollouts++;
            }
        }
        return new GateStatistics(
            decisions.Count,
            decisions.Count(d => d.Route == GateRoute.RlOnly),
            decisions.Count(d => d.Route == GateRoute.ExpertOnly),
            decisions.Count(d => d.Route == GateRoute.Mixed),
            decisions.Count(d => d.Route == GateRoute.Drop),
            rollouts,
            experts,
            decisions.Count == 0 ? 0.0 : decisions.Average(d => d.Accuracy));
    }
}
