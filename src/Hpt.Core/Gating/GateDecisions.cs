using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>The decision shapes every gate policy builds; the policies only choose among them.</summary>
public static class GateDecisions
{
    /// <summary>Train the rollouts by RL with weight <paramref name="alpha"/>; advantages over the rollouts alone.</summary>
    public static GateDecision Rl(GroupOutcome o, IAdvantageEstimator estimator, double accuracy, double gamma,
        double alpha = 1.0) =>
        o.Rewards.Count == 0
            ? Drop(o, accuracy, gamma)
            : new GateDecision(o.PromptId, GateRoute.RlOnly, accuracy, gamma, alpha, 0.0, 0.0,
                estimator.Compute(o.Rewards), 0.0);

    /// <summary>
    /// Drop the rollouts and train the expert demonstration alone. As in the official code the expert is then alone
    /// in its advantage group, so its advantage (used only by off-policy training) is the estimator's group-of-one
    /// value. Without a demonstration this falls back to RL on the rollouts.
    /// </summary>
    public static GateDecision Expert(GroupOutcome o, IAdvantageEstimator estimator, ExpertTraining training,
        double accuracy, double gamma, double weight = 1.0)
    {
        if (!o.HasExpert)
        {
            return Rl(o, estimator, accuracy, gamma);
        }
        var (beta, offWeight) = Weights(training, weight);
        var expertAdvantage = offWeight > 0 ? estimator.Compute([o.ExpertReward])[0] : 0.0;
        return new GateDecision(o.PromptId, GateRoute.ExpertOnly, accuracy, gamma, 0.0, beta, offWeight, [],
            expertAdvantage);
    }

    /// <summary>
    /// Rollouts and expert in one group (LUFFY, SRFT): the expert's reward joins the group, so the rollouts'
    /// advantages are centred on all n+1 rewards. <paramref name="rolloutEstimator"/> may differ (SRFT's +-1).
    /// </summary>
    public static GateDecision MixedGroup(GroupOutcome o, IAdvantageEstimator estimator, ExpertTraining training,
        double accuracy, double gamma, IAdvantageEstimator? rolloutEstimator = null)
    {
        if (!o.HasExpert)
        {
            return Rl(o, rolloutEstimator ?? estimator, accuracy, gamma);
        }
        var group = new double[o.Rewards.Count + 1];
        for (var i = 0; i < o.Rewards.Count; i++)
        {
            group[i] = o.Rewards[i];
        }
        group[^1] = o.ExpertReward;
        var advantages = estimator.Compute(group);
        var rollouts = rolloutEstimator is null ? advantages[..^1] : rolloutEstimator.Compute(o.Rewards);
        var (beta, offWeight) = Weights(training, 1.0);
        return new GateDecision(o.PromptId, GateRoute.Mixed, accuracy, gamma, 1.0, beta, offWeight, rollouts,
            advantages[^1]);
    }

    /// <summary>
    /// Rollouts with weight alpha (advantages over the rollouts alone) plus the expert row trained by SFT with weight
    /// beta; collapses to RL-only or expert-only when one weight is 0.
    /// </summary>
    public static GateDecision Blend(GroupOutcome o, IAdvantageEstimator estimator, double accuracy, double gamma,
        double alpha, double beta)
    {
        if (beta <= 0 || !o.HasExpert)
        {
            return Rl(o, estimator, accuracy, gamma, o.HasExpert ? alpha : 1.0);
        }
        if (alpha <= 0 || o.Rewards.Count == 0)
        {
            return Expert(o, estimator, ExpertTraining.Sft, accuracy, gamma, beta);
        }
        return new GateDecision(o.PromptId, GateRoute.Mixed, accuracy, gamma, alpha, beta, 0.0,
            estimator.Compute(o.Rewards), 0.0);
    }

    public static GateDecision Drop(GroupOutcome o, double accuracy, double gamma) =>
        new(o.PromptId, GateRoute.Drop, accuracy, gamma, 0.0, 0.0, 0.0, [], 0.0);

    private static (double Beta, double OffPolicyWeight) Weights(ExpertTraining training, double weight) =>
        training switch
        {
            ExpertTraining.Sft => (weight, 0.0),
            ExpertTraining.OffPolicy => (0.0, weight),
            ExpertTraining.SftAndOffPolicy => (weight, weight),
            _ => throw new ArgumentOutOfRangeException(nameof(training), training, null),
        };
}
