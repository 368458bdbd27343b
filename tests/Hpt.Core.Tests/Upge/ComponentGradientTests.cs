using Hpt.Core.Gating;
using Hpt.Core.Tests.Upge.Support;
using Hpt.Core.Upge;

namespace Hpt.Core.Tests.Upge;

/// <summary>Components no preset uses by default, each against its formula written out.</summary>
public sealed class ComponentGradientTests
{
    /// <summary>Rollout rows with advantages of both signs, weight 1.</summary>
    private static readonly TrainingRow[] Rollouts =
    [
        new(0, 0.9, 1, 0), new(1, -0.7, 1, 0), new(2, 1.3, 1, 0), new(3, -1.1, 1, 0), new(4, 0.4, 1, 0),
        new(5, -0.2, 1, 0),
    ];

    private static void AssertMatches(UpgeComponents components, Scenario s, Func<double[,], double> reference,
        bool compareValue = true)
    {
        var run = Gradients.Library(new UpgeLoss(components), s);
        var expected = Gradients.FiniteDifference(reference, s);
        Gradients.AssertNonTrivial(expected);
        Gradients.AssertClose(expected, run.LogProbGrad);
        if (compareValue)
        {
            Assert.Equal(reference(s.LogP), run.Loss, 1e-9);
        }
    }

    [Fact]
    public void Dual_clip_bounds_negative_advantage_objective_below_by_c_times_a()
    {
        // Noise up to 1.5 in log space gives ratios above C = 3 on some negative-advantage tokens.
        var s = Scenario.FromRows(Rollouts, t: 6, seed: 3, oldNoise: 1.5);
        var components = new UpgeComponents { Mask = new DualClipMask(0.2, 0.2, 3.0) };
        AssertMatches(components, s, lp =>
        {
            double sum = 0, n = 0;
            for (var b = 0; b < s.Rows; b++)
            {
                for (var t = 0; t < s.Length[b]; t++)
                {
                    var r = Reference.Ratio(s, lp, b, t);
                    var a = s.Advantage[b];
                    var ppo = Reference.Ppo(r, a, 0.2, 0.2);
                    sum += a < 0 ? Math.Max(ppo, 3.0 * a) : ppo;
                    n++;
                }
            }
            return -sum / n;
        });
    }

    [Fact]
    public void Truncated_importance_sampling_scales_rollout_tokens_by_capped_old_over_behaviour_ratio()
    {
        var s = Scenario.FromRows(Rollouts, seed: 5);
        var components = new UpgeComponents
        {
            Mask = new NoMask(),
            BehaviourCorrection = new TruncatedImportanceSampling(1.05),
        };
        AssertMatches(components, s, lp =>
        {
            double sum = 0, n = 0;
            for (var b = 0; b < s.Rows; b++)
            {
                for (var t = 0; t < s.Length[b]; t++)
                {
                    var w = Math.Min(Math.Exp(s.Old[b, t] - s.Behaviour[b, t]), 1.05);
                    sum += w * s.Advantage[b] * Reference.Ratio(s, lp, b, t);
                    n++;
                }
            }
            return -sum / n;
        });
        var metrics = Gradients.Library(new UpgeLoss(components), s).Metrics;
        Assert.InRange(metrics.TisTruncatedFraction, 1e-9, 1 - 1e-9);
    }

    [Theory]
    [InlineData(KlEstimator.K1)]
    [InlineData(KlEstimator.K2)]
    [InlineData(KlEstimator.K3)]
    public void Kl_penalty_gradient_matches_schulman_estimator(KlEstimator kind)
    {
        var s = Scenario.FromRows(Rollouts, seed: 9);
        var components = new UpgeComponents
        {
            Denominator = new CurrentPolicyDenominator(),
            Mask = new NoMask(),
            Kl = kind,
            KlCoef = 0.5,
        };
        AssertMatches(components, s, lp =>
        {
            double pg = 0, kl = 0, n = 0;
            for (var b = 0; b < s.Rows; b++)
            {
                for (var t = 0; t < s.Length[b]; t++)
                {
                    var d = lp[b, t] - s.Ref[b, t];
                    kl += kind switch
                    {
                        KlEstimator.K1 => d,
                        KlEstimator.K2 => 0.5 * d * d,
                        _ => Math.Exp(-d) - 1 + d,
                    };
                    pg += s.Advantage[b] * lp[b, t];
                    n++;
                }
            }
            return -pg / n + 0.5 * kl / n;
        }, compareValue: false);
    }

    [Fact]
    public void Token_level_advantages_weight_each_token_separately()
    {
        var s0 = Scenario.FromRows(Rollouts, seed: 13);
        var rng = new Random(1);
        var tokenAdvantages = new double[s0.Rows, s0.T];
        for (var b = 0; b < s0.Rows; b++)
        {
            for (var t = 0; t < s0.T; t++)
            {
                tokenAdvantages[b, t] = rng.NextDouble() * 2 - 1;
            }
        }
        var s = new Scenario
        {
            Rows = s0.Rows, T = s0.T, LogP = s0.LogP, Old = s0.Old, Behaviour = s0.Behaviour, Entropy = s0.Entropy,
            Ref = s0.Ref, Length = s0.Length, IsExpert = s0.IsExpert, Advantage = s0.Advantage,
            RlWeight = s0.RlWeight, SftWeight = s0.SftWeight, TokenAdvantage = tokenAdvantages,
        };
        var components = new UpgeComponents { Aggregation = new SequenceMeanTokenMeanAggregation() };
        AssertMatches(components, s, lp => Reference.Grpo(s, lp, 0.2, 0.2));
    }

    [Fact]
    public void Entropy_bonus_gradient_is_minus_coefficient_over_real_token_count()
    {
        var s = Scenario.FromRows(Rollouts, seed: 2);
        var run = Gradients.Library(new UpgeLoss(new UpgeComponents { EntropyCoef = 0.01 }), s);
        var tokens = s.Length.Sum();
        for (var b = 0; b < s.Rows; b++)
        {
            for (var t = 0; t < s.T; t++)
            {
                Assert.Equal(s.Real(b, t) ? -0.01 / tokens : 0.0, run.EntropyGrad[b, t], 12);
            }
        }
    }

    [Fact]
    public void Soft_gate_weights_scale_rollout_and_sft_terms_separately()
    {
        // Rollouts at alpha = 0.25, an expert row at beta = 0.75 (what SoftGate emits), token-mean aggregation.
        TrainingRow[] rows = [new(0, 1.0, 0.25, 0), new(1, -1.0, 0.25, 0), new(null, 0.0, 0, 0.75)];
        var s = Scenario.FromRows(rows, seed: 4);
        var components = new UpgeComponents { Mask = new NoMask() };
        AssertMatches(components, s, lp =>
        {
            double rl = 0, rlTokens = 0, sft = 0, sftTokens = 0;
            for (var b = 0; b < s.Rows; b++)
            {
                for (var t = 0; t < s.Length[b]; t++)
                {
                    if (s.IsExpert[b])
                    {
                        sft += -0.75 * lp[b, t];
                        sftTokens++;
                    }
                    else
                    {
                        rl += 0.25 * s.Advantage[b] * Reference.Ratio(s, lp, b, t);
                        rlTokens++;
                    }
                }
            }
            return -rl / rlTokens + sft / sftTokens;
        });
    }
}
