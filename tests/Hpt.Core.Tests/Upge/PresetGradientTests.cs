using Hpt.Core.Advantages;
using Hpt.Core.Configuration;
using Hpt.Core.Gating;
using Hpt.Core.Tests.Upge.Support;

namespace Hpt.Core.Tests.Upge;

/// <summary>
/// Each preset, built from its configuration record, against its textbook loss (Reference) by finite differences.
/// The batch comes from the preset's own gate on groups that are mixed, all correct, all wrong, and of size one.
/// </summary>
public sealed class PresetGradientTests
{
    private static readonly GroupOutcome[] Outcomes =
    [
        new("mixed", [1, 0, 1, 0, 0, 1], 3, true),
        new("all-correct", [1, 1, 1, 1], 3, true),
        new("all-wrong", [0, 0, 0, 0], 3, true),
        new("single-correct", [1], 3, true),
        new("single-wrong", [0], 3, true),
    ];

    private static (Algorithm Algorithm, Scenario Scenario, bool[] Correct) Setup(string preset,
        double oldNoise = 0.4, int seed = 7)
    {
        var algorithm = AlgorithmFactory.Create(AlgorithmPresets.Get(preset));
        IReadOnlyList<GateDecision> decisions = Outcomes.Select(algorithm.Gate.Decide).ToArray();
        if (algorithm.Advantage.RequiresBatchNormalization)
        {
            decisions = BatchAdvantageNormalizer.Normalize(decisions);
        }
        var correct = new List<bool>();
        foreach (var (decision, outcome) in decisions.Zip(Outcomes))
        {
            correct.AddRange(decision.TrainingRows().Select(r => r.RolloutIndex is { } i && outcome.Rewards[i] >= 1));
        }
        return (algorithm, Scenario.FromDecisions(decisions, seed: seed, oldNoise: oldNoise), correct.ToArray());
    }

    private static Gradients.LibraryRun Check(Algorithm algorithm, Scenario s, Func<double[,], double> reference,
        bool compareValue = true)
    {
        var run = Gradients.Library(algorithm.Loss, s);
        var expected = Gradients.FiniteDifference(reference, s);
        Gradients.AssertNonTrivial(expected);
        Gradients.AssertClose(expected, run.LogProbGrad);
        if (compareValue)
        {
            Assert.Equal(reference(s.LogP), run.Loss, 1e-9);
        }
        Assert.True(double.IsFinite(run.Loss));
        return run;
    }

    [Fact]
    public void Sft_gradient_matches_token_mean_negative_log_likelihood_of_demonstrations()
    {
        var (algorithm, s, _) = Setup("sft");
        Assert.All(s.IsExpert, Assert.True);
        Check(algorithm, s, lp => Reference.SftTokenMean(s, lp));
    }

    [Fact]
    public void Reinforce_gradient_matches_plus_minus_one_times_sequence_log_likelihood()
    {
        var (algorithm, s, _) = Setup("reinforce");
        Assert.Contains(-1.0, s.Advantage);
        // The surrogate's value is A * r with r = 1 (pi_ref = sg(pi_theta)), not A log p: compare gradients only.
        Check(algorithm, s, lp => Reference.SequenceReinforce(s, lp), compareValue: false);
    }

    [Fact]
    public void Rloo_gradient_matches_leave_one_out_reinforce()
    {
        var (algorithm, s, _) = Setup("rloo");
        // Mixed group [1,0,1,0,0,1]: a correct rollout's baseline is 2/5, so A = 0.6.
        Assert.Equal(0.6, s.Advantage[0], 12);
        Check(algorithm, s, lp => Reference.SequenceReinforce(s, lp), compareValue: false);
    }

    [Fact]
    public void Grpo_gradient_matches_textbook_clipped_surrogate_with_sequence_mean()
    {
        var (algorithm, s, _) = Setup("grpo");
        var run = Check(algorithm, s, lp => Reference.Grpo(s, lp, 0.2, 0.2));
        Assert.InRange(run.Metrics.ClipFraction, 1e-9, 1.0);
    }

    [Fact]
    public void Dr_grpo_gradient_matches_mean_centred_token_sum_over_max_length()
    {
        var (algorithm, s, _) = Setup("dr-grpo");
        Check(algorithm, s, lp => Reference.SequenceMeanOfTokenSums(s, lp, 0.2, 0.2, 8192));
    }

    [Fact]
    public void Ppo_clip_gradient_matches_token_mean_clipped_surrogate_with_batch_whitened_advantages()
    {
        var (algorithm, s, _) = Setup("ppo-clip");
        var rollouts = s.Advantage.Where((_, b) => !s.IsExpert[b]).ToArray();
        Assert.Equal(0.0, rollouts.Average(), 9);
        var run = Check(algorithm, s, lp => Reference.PpoTokenMean(s, lp, 0.2, 0.2));
        Assert.InRange(run.Metrics.ClipFraction, 1e-9, 1.0);
    }

    [Fact]
    public void Cispo_gradient_matches_clipped_stop_gradient_importance_weight()
    {
        var (algorithm, s, _) = Setup("cispo");
        var run = Check(algorithm, s, lp => Reference.Cispo(s, lp, 0.28), compareValue: false);
        Assert.InRange(run.Metrics.ClipFraction, 1e-9, 1.0);
    }

    [Fact]
    public void Gspo_gradient_matches_sequence_level_clipped_objective()
    {
        // GSPO's clip range is 3e-4 / 4e-4, so pi_old must sit very close to pi_theta for any row to pass it.
        var (algorithm, s, _) = Setup("gspo", oldNoise: 1e-3, seed: 11);
        var run = Check(algorithm, s, lp => Reference.Gspo(s, lp, 3e-4, 4e-4));
        Assert.InRange(run.Metrics.ClipFraction, 1e-9, 1.0 - 1e-9);
    }

    [Fact]
    public void Luffy_gradient_matches_official_mixed_loss_with_policy_shaped_expert_tokens()
    {
        var (algorithm, s, _) = Setup("luffy");
        Assert.Equal(Outcomes.Length, s.IsExpert.Count(e => e));
        Check(algorithm, s, lp => Reference.Official(s, lp, expertSft: false, expertOffPolicy: true, sftCoef: 0));
    }

    [Fact]
    public void Srft_gradient_matches_official_entropy_weighted_losses()
    {
        var (algorithm, s, correct) = Setup("srft");
        Check(algorithm, s, lp => Reference.Srft(s, lp, correct), compareValue: false);
    }

    [Fact]
    public void Hpt_paper_gradient_matches_eq11_clipped_rl_plus_eq12_sft()
    {
        var (algorithm, s, _) = Setup("hpt");
        // gamma = 0: only the all-wrong groups ("all-wrong", "single-wrong") become SFT rows.
        Assert.Equal(2, s.IsExpert.Count(e => e));
        Check(algorithm, s,
            lp => Reference.SequenceMeanOfTokenSums(s, lp, 0.2, 0.2, 1) + Reference.SftSequenceMean(s, lp));
    }

    [Fact]
    public void Hpt_official_gradient_matches_released_code_loss()
    {
        var (algorithm, s, _) = Setup("hpt-official");
        Assert.Equal(2, s.IsExpert.Count(e => e));
        Check(algorithm, s, lp => Reference.Official(s, lp, expertSft: true, expertOffPolicy: false, sftCoef: 1.0));
    }

    [Fact]
    public void Hpt_official_llama_gradient_matches_released_code_loss_with_gate_at_two_correct()
    {
        var (algorithm, s, _) = Setup("hpt-official-llama");
        // At most 2 correct: "all-wrong", "single-correct" and "single-wrong" go to their demonstrations.
        Assert.Equal(3, s.IsExpert.Count(e => e));
        Check(algorithm, s, lp => Reference.Official(s, lp, expertSft: true, expertOffPolicy: false, sftCoef: 1.0));
    }

    [Fact]
    public void Sft_then_grpo_gradient_is_pure_sft_before_the_switch_step()
    {
        var (algorithm, s, _) = Setup("sft-then-grpo");
        Assert.All(s.IsExpert, Assert.True);
        Check(algorithm, s, lp => Reference.SftTokenMean(s, lp));
    }

    [Fact]
    public void Mix_on_gradient_matches_sft_times_point_one_plus_off_policy_term_on_gated_prompts()
    {
        var (algorithm, s, _) = Setup("mix-on");
        Check(algorithm, s, lp => Reference.Official(s, lp, expertSft: true, expertOffPolicy: true, sftCoef: 0.1));
    }

    [Fact]
    public void Off_on_gradient_matches_off_policy_term_instead_of_sft_on_gated_prompts()
    {
        var (algorithm, s, _) = Setup("off-on");
        // A gated expert is alone in its group: the group-of-one rule gives it its own reward, 1.
        Assert.All(s.Advantage.Where((_, b) => s.IsExpert[b]), a => Assert.Equal(1.0, a));
        Check(algorithm, s, lp => Reference.Official(s, lp, expertSft: false, expertOffPolicy: true, sftCoef: 0));
    }
}
