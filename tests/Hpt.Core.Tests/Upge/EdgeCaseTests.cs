using Hpt.Core.Configuration;
using Hpt.Core.Gating;
using Hpt.Core.Tests.Upge.Support;
using Hpt.Core.Upge;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Core.Tests.Upge;

/// <summary>Micro-batches the official code gets wrong (NaN) or that a pipeline produces at the edges.</summary>
public sealed class EdgeCaseTests
{
    public static TheoryData<string> Presets => new(AlgorithmPresets.All.Keys);

    private static readonly TrainingRow[] RolloutsOnly =
        [new(0, 0.5, 1, 0), new(1, -0.5, 1, 0), new(2, 0.25, 1, 0), new(3, -0.25, 1, 0)];

    private static readonly TrainingRow[] ExpertsOnly = [new(null, 1.0, 0, 1), new(null, 1.0, 0, 1)];

    private static readonly TrainingRow[] Mixed =
        [new(0, 0.5, 1, 0), new(1, -0.5, 1, 0), new(null, 0.5, 1, 1), new(null, 1.0, 0, 1)];

    private static void AssertFinite(Gradients.LibraryRun run)
    {
        Assert.True(double.IsFinite(run.Loss), $"loss {run.Loss}");
        foreach (var g in run.LogProbGrad)
        {
            Assert.True(double.IsFinite(g));
        }
        foreach (var g in run.EntropyGrad)
        {
            Assert.True(double.IsFinite(g));
        }
        var m = run.Metrics;
        double[] values =
        [
            m.Loss, m.RlLoss, m.SftLoss, m.EntropyMean, m.KlMean, m.ClipFraction, m.RatioMean, m.RatioMin,
            m.RatioMax, m.MismatchKl, m.TisWeightMean, m.TisTruncatedFraction, m.MeanResponseLength,
            m.OfflineRowFraction,
        ];
        Assert.All(values, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Official_profile_has_no_nan_on_micro_batch_without_sft_rows()
    {
        var s = Scenario.FromRows(RolloutsOnly);
        var run = Gradients.Library(AlgorithmFactory.Loss(AlgorithmPresets.HptOfficial), s);
        AssertFinite(run);
        Assert.Equal(0.0, run.Metrics.SftLoss);
        var expected = Gradients.FiniteDifference(lp => Reference.Official(s, lp, true, false, 1.0), s);
        Gradients.AssertClose(expected, run.LogProbGrad);
    }

    [Fact]
    public void Official_profile_on_micro_batch_of_only_sft_rows_has_zero_rl_loss()
    {
        var s = Scenario.FromRows(ExpertsOnly);
        var run = Gradients.Library(AlgorithmFactory.Loss(AlgorithmPresets.HptOfficial), s);
        AssertFinite(run);
        Assert.Equal(0.0, run.Metrics.RlLoss);
        Assert.Equal(1.0, run.Metrics.RatioMean);
        var expected = Gradients.FiniteDifference(lp => Reference.Official(s, lp, true, false, 1.0), s);
        Gradients.AssertClose(expected, run.LogProbGrad);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_preset_gives_zero_finite_loss_when_every_mask_is_empty(string preset)
    {
        var s = Scenario.FromRows(Mixed, allEmpty: true);
        var run = Gradients.Library(AlgorithmFactory.Loss(AlgorithmPresets.Get(preset)), s);
        AssertFinite(run);
        Assert.Equal(0.0, run.Loss);
        Assert.All(run.LogProbGrad.Cast<double>(), g => Assert.Equal(0.0, g));
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_preset_is_finite_on_rollout_only_and_expert_only_micro_batches(string preset)
    {
        var loss = AlgorithmFactory.Loss(AlgorithmPresets.Get(preset));
        AssertFinite(Gradients.Library(loss, Scenario.FromRows(RolloutsOnly, withEmptyRow: true)));
        AssertFinite(Gradients.Library(loss, Scenario.FromRows(ExpertsOnly, withEmptyRow: true)));
    }

    [Fact]
    public void Empty_row_contributes_nothing_to_the_sequence_mean()
    {
        var s = Scenario.FromRows(RolloutsOnly, withEmptyRow: true);
        var run = Gradients.Library(AlgorithmFactory.Loss(AlgorithmPresets.Grpo), s);
        var expected = Gradients.FiniteDifference(lp => Reference.Grpo(s, lp, 0.2, 0.2), s);
        Gradients.AssertClose(expected, run.LogProbGrad);
        Assert.Equal(Reference.Grpo(s, s.LogP, 0.2, 0.2), run.Loss, 1e-9);
    }

    [Fact]
    public void Micro_batch_with_zero_rows_gives_zero_loss()
    {
        using var scope = NewDisposeScope();
        var empty = zeros(0, 4, dtype: ScalarType.Float64);
        var batch = new UpgeBatch(empty.clone().requires_grad_(), empty, empty, empty,
            zeros(0, dtype: ScalarType.Float64), zeros(0, dtype: ScalarType.Bool),
            zeros(0, dtype: ScalarType.Float64), zeros(0, dtype: ScalarType.Float64))
        {
            Entropy = empty,
        };
        using var result = AlgorithmFactory.Loss(AlgorithmPresets.HptOfficial).Compute(batch);
        Assert.Equal(0.0, result.Loss.item<double>());
        Assert.Equal(0.0, result.Metrics.MeanResponseLength);
    }

    [Fact]
    public void Normalizer_makes_micro_batch_losses_add_up_to_the_mini_batch_loss()
    {
        // Token-mean RL and SFT terms depend on the micro-batch split unless the mini-batch counts are given.
        var full = Scenario.FromRows([.. RolloutsOnly, .. ExpertsOnly], seed: 21);
        var config = AlgorithmPresets.PpoClip with { EntropyCoef = 0.01 };
        var loss = AlgorithmFactory.Loss(config);
        var whole = Gradients.Library(loss, full);
        var counts = new LossNormalizer(
            RlTokens: whole.Metrics.OnPolicyTokens + whole.Metrics.OffPolicyTokens,
            RlRows: RolloutsOnly.Length,
            SftTokens: whole.Metrics.SftTokens,
            SftRows: ExpertsOnly.Length,
            AllTokens: whole.Metrics.AllTokens);
        var first = Gradients.Library(loss, WithNormalizer(full.Slice(0, 3), counts));
        var second = Gradients.Library(loss, WithNormalizer(full.Slice(3, full.Rows - 3), counts));
        Assert.Equal(whole.Loss, first.Loss + second.Loss, 1e-12);
        for (var b = 0; b < full.Rows; b++)
        {
            for (var t = 0; t < full.T; t++)
            {
                var split = b < 3 ? first.LogProbGrad[b, t] : second.LogProbGrad[b - 3, t];
                Assert.Equal(whole.LogProbGrad[b, t], split, 12);
            }
        }
    }

    [Fact]
    public void Compute_leaves_no_tensor_alive_but_the_loss()
    {
        var s = Scenario.FromRows(Mixed);
        var loss = AlgorithmFactory.Loss(AlgorithmPresets.Srft);
        using var scope = NewDisposeScope();
        var batch = s.ToBatch();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var result = loss.Compute(batch);
        Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        result.Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Missing_entropy_is_reported_when_the_algorithm_needs_it()
    {
        using var scope = NewDisposeScope();
        var batch = Scenario.FromRows(RolloutsOnly).ToBatch() with { Entropy = null };
        var error = Assert.Throws<ArgumentException>(() => AlgorithmFactory.Loss(AlgorithmPresets.HptOfficial).Compute(batch));
        Assert.Contains("Entropy", error.Message);
    }

    [Fact]
    public void Expert_rows_without_meaningful_old_or_behaviour_log_probs_do_not_poison_the_gradient()
    {
        var s = Scenario.FromRows([new(0, 0.5, 1, 0), new(1, -0.5, 1, 0), new(null, 0.5, 1, 0)], seed: 31);
        for (var b = 0; b < s.Rows; b++)
        {
            for (var t = 0; s.IsExpert[b] && t < s.Length[b]; t++)
            {
                s.Old[b, t] = -800.0;
                s.Behaviour[b, t] = 900.0;
            }
        }
        AssertFinite(Gradients.Library(AlgorithmFactory.Loss(AlgorithmPresets.Luffy with { OffPolicyCorrection = OffPolicyCorrectionKind.On, TisCap = 2.0 }), s));
        var run = Gradients.Library(AlgorithmFactory.Loss(AlgorithmPresets.Luffy), s);
        var expected = Gradients.FiniteDifference(lp => Reference.Official(s, lp, false, true, 0), s);
        Gradients.AssertClose(expected, run.LogProbGrad);
    }

    [Fact]
    public void Bfloat16_log_probs_are_promoted_so_token_counts_stay_exact()
    {
        // 257 is the first integer bfloat16 cannot hold; a bfloat16 token count would read 256.
        using var scope = NewDisposeScope();
        var logp = full(1, 257, -1.0, dtype: ScalarType.BFloat16).requires_grad_();
        var batch = new UpgeBatch(logp, logp.detach(), logp.detach(), ones(1, 257), ones(1),
            tensor(new[] { true }), zeros(1), ones(1))
        {
            Entropy = ones(1, 257),
        };
        using var result = AlgorithmFactory.Loss(AlgorithmPresets.HptOfficial).Compute(batch);
        result.Loss.backward();
        Assert.Equal(257, result.Metrics.SftTokens);
        Assert.Equal(1.0 - 0.001, result.Metrics.Loss, 6);
        Assert.Equal(ScalarType.BFloat16, logp.grad!.dtype);
    }

    private static Scenario WithNormalizer(Scenario s, LossNormalizer normalizer) => new()
    {
        Rows = s.Rows, T = s.T, LogP = s.LogP, Old = s.Old, Behaviour = s.Behaviour, Entropy = s.Entropy, Ref = s.Ref,
        Length = s.Length, IsExpert = s.IsExpert, Advantage = s.Advantage, RlWeight = s.RlWeight,
        SftWeight = s.SftWeight, Normalizer = normalizer,
    };
}
