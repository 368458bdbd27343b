using Hpt.Model.Sampling;

namespace Hpt.Model.Tests.Sampling;

public sealed class SamplerTests
{
    private static readonly int[][] Prompts = [[5, 9, 2, 11, 40, 3, 7], [17, 4], [8, 8, 30, 1]];

    [Fact]
    public void Generation_is_deterministic_under_a_seed_and_varies_with_it()
    {
        using var m = TestModels.Tiny(seed: 2);
        var sampler = new Sampler(m);
        var o = new SamplingOptions { MaxNewTokens = 12, Seed = 42 };
        var a = sampler.Generate(Prompts, o, policyVersion: 7);
        var b = sampler.Generate(Prompts, o, policyVersion: 7);
        var c = sampler.Generate(Prompts, o with { Seed = 43 }, policyVersion: 7);
        for (var r = 0; r < Prompts.Length; r++)
        {
            Assert.Equal(a[r].TokenIds, b[r].TokenIds);
            Assert.Equal(a[r].LogProbs, b[r].LogProbs);
            Assert.Equal(7, a[r].PolicyVersion);
            Assert.Equal(12, a[r].TokenIds.Length);
            Assert.True(a[r].Truncated);
        }
        Assert.NotEqual(a.SelectMany(s => s.TokenIds), c.SelectMany(s => s.TokenIds));
    }

    [Fact]
    public void A_prompt_gives_the_same_result_alone_as_in_a_padded_batch()
    {
        using var m = TestModels.Tiny(seed: 3);
        var sampler = new Sampler(m);
        var o = new SamplingOptions { MaxNewTokens = 10, Seed = 9 };
        var seeds = new ulong[] { 100, 200, 300 };
        var batch = sampler.Generate(Prompts, o, rowSeeds: seeds);
        for (var r = 0; r < Prompts.Length; r++)
        {
            var alone = sampler.Generate([Prompts[r]], o, rowSeeds: [seeds[r]])[0];
            Assert.Equal(alone.TokenIds, batch[r].TokenIds);
            for (var t = 0; t < alone.LogProbs.Length; t++) Assert.Equal(alone.LogProbs[t], batch[r].LogProbs[t], 1e-4f);
        }
        var greedy = sampler.Generate(Prompts, o with { Temperature = 0 });
        for (var r = 0; r < Prompts.Length; r++)
            Assert.Equal(sampler.Generate([Prompts[r]], o with { Temperature = 0 })[0].TokenIds, greedy[r].TokenIds);
    }

    [Fact]
    public void Kv_cache_and_full_recompute_generate_the_same_tokens()
    {
        using var m = TestModels.Tiny(seed: 4);
        var sampler = new Sampler(m);
        var o = new SamplingOptions { MaxNewTokens = 9, Seed = 1 };
        var cached = sampler.Generate(Prompts, o);
        var recomputed = sampler.Generate(Prompts, o, useKvCache: false);
        for (var r = 0; r < Prompts.Length; r++)
        {
            Assert.Equal(recomputed[r].TokenIds, cached[r].TokenIds);
            for (var t = 0; t < cached[r].LogProbs.Length; t++) Assert.Equal(recomputed[r].LogProbs[t], cached[r].LogProbs[t], 1e-4f);
        }
    }

    [Fact]
    public void Stop_tokens_end_a_row_and_are_kept_while_other_rows_go_on()
    {
        using var m = TestModels.Tiny(seed: 5);
        var sampler = new Sampler(m);
        var o = new SamplingOptions { MaxNewTokens = 30, Seed = 3 };
        var free = sampler.Generate(Prompts, o);
        var stopId = free[0].TokenIds[4]; // make row 0 stop at (or before) its fifth token
        var stopped = sampler.Generate(Prompts, o with { StopTokenIds = [stopId] });
        var row = stopped[0];
        Assert.False(row.Truncated);
        Assert.Equal(stopId, row.TokenIds[^1]);
        Assert.True(row.TokenIds.Length <= 5);
        Assert.Equal(free[0].TokenIds[..row.TokenIds.Length], row.TokenIds);
        Assert.Equal(row.TokenIds.Length, row.LogProbs.Length);
        Assert.Equal(row.TokenIds.Length, row.SamplingLogProbs.Length);
        foreach (var s in stopped) Assert.Equal(s.Truncated, !s.TokenIds.Contains(stopId));
    }

    [Fact]
    public void Log_probs_are_raw_model_values_and_sampling_log_probs_follow_the_used_distribution()
    {
        using var m = TestModels.Tiny(seed: 6);
        var sampler = new Sampler(m);
        var plain = sampler.Generate(Prompts, new SamplingOptions { MaxNewTokens = 8, Seed = 5 });
        foreach (var s in plain)
            for (var t = 0; t < s.LogProbs.Length; t++)
            {
                Assert.Equal(s.LogProbs[t], s.SamplingLogProbs[t], 1e-5f);
                Assert.True(s.LogProbs[t] < 0);
            }

        var top1 = sampler.Generate(Prompts, new SamplingOptions { MaxNewTokens = 8, TopK = 1, Seed = 5 });
        var greedy = sampler.Generate(Prompts, new SamplingOptions { MaxNewTokens = 8, Temperature = 0 });
        for (var r = 0; r < Prompts.Length; r++)
        {
            Assert.Equal(greedy[r].TokenIds, top1[r].TokenIds);
            Assert.All(top1[r].SamplingLogProbs, lp => Assert.Equal(0f, lp, 1e-6f)); // one candidate: probability 1
            Assert.Equal(greedy[r].LogProbs, top1[r].LogProbs);
        }

        var nucleus = sampler.Generate(Prompts, new SamplingOptions { MaxNewTokens = 8, TopP = 0.5, Temperature = 0.7, Seed = 5 });
        foreach (var s in nucleus)
            for (var t = 0; t < s.LogProbs.Length; t++)
                Assert.True(s.SamplingLogProbs[t] >= s.LogProbs[t] - 1e-5f, "truncating and sharpening can only raise the chosen token's probability");
    }

    [Theory]
    [InlineData(1.0, 1.0, 0)]
    [InlineData(1.0, 0.9, 0)]
    [InlineData(1.0, 1.0, 7)]
    [InlineData(0.7, 0.9, 0)]
    [InlineData(0.0, 1.0, 0)]
    public void Raw_log_probs_are_the_logit_minus_the_logsumexp_under_every_setting(double temperature, double topP, int topK)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        // Logits spread wide (tens of nats), so the largest token's probability is far from 1 and most are tiny.
        var logits = TorchSharp.torch.randn(6, 500, generator: new TorchSharp.torch.Generator(11)) * 12;
        var o = new SamplingOptions { Temperature = temperature, TopP = topP, TopK = topK };
        var rngs = Enumerable.Range(0, 6).Select(i => new RowRandom((ulong)i + 1)).ToArray();
        var (token, raw, _) = Sampler.Pick(logits, o, rngs);
        var expected = logits.gather(-1, token) - logits.logsumexp(-1, keepdim: true);
        Assert.True(TestModels.MaxAbsDiff(expected, raw) < 1e-5f, $"raw log-probs differ from logit - logsumexp by {TestModels.MaxAbsDiff(expected, raw)}");
    }

    [Fact]
    public void Bad_requests_are_rejected()
    {
        using var m = TestModels.Tiny();
        var sampler = new Sampler(m);
        Assert.Throws<ArgumentException>(() => sampler.Generate([Array.Empty<int>()], new SamplingOptions()));
        Assert.Throws<ArgumentException>(() => sampler.Generate([[1000]], new SamplingOptions()));
        Assert.Throws<ArgumentException>(() => sampler.Generate([[1]], new SamplingOptions { TopP = 0 }));
        Assert.Empty(sampler.Generate([], new SamplingOptions()));
    }
}
