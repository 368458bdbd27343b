using System.Diagnostics;
using Hpt.Model.Sampling;
using Hpt.Model.Scoring;
using static TorchSharp.torch;

namespace Hpt.Model.Tests;

[CollectionDefinition(nameof(NativeMemoryTests), DisableParallelization = true)]
public sealed class NativeMemoryCollection;

/// <summary>RSS is process-wide, so this runs alone (after the parallel tests).</summary>
[Collection(nameof(NativeMemoryTests))]
public sealed class NativeMemoryTests
{
    private static long RssBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    [Fact]
    public void Native_memory_stays_flat_over_many_generate_and_score_calls()
    {
        using var m = TestModels.Tiny(seed: 1);
        var sampler = new Sampler(m);
        var scorer = new Scorer(m);
        int[][] prompts = [[1, 2, 3, 4, 5], [6, 7], [8, 9, 10]];
        void Round(int i)
        {
            var samples = sampler.Generate(prompts, new SamplingOptions { MaxNewTokens = 12, Seed = (ulong)i, TopP = 0.9 });
            using var scope = NewDisposeScope();
            var score = scorer.Score(prompts, samples.Select(s => s.TokenIds).ToArray(), withGrad: true);
            (-(score.LogProbs.sum())).backward();
            m.zero_grad();
        }
        for (var i = 0; i < 30; i++) Round(i); // warm-up: allocator pools, JIT
        var before = RssBytes();
        for (var i = 30; i < 230; i++) Round(i);
        var growth = (RssBytes() - before) / (1024.0 * 1024.0);
        Assert.True(growth < 50, $"RSS grew by {growth:F1} MB over 200 generate+score+backward calls");
    }
    [Fact]
    public void Native_memory_stays_flat_over_many_admissions_to_the_continuous_generator()
    {
        using var m = TestModels.Tiny(seed: 1);
        var options = new ContinuousOptions { MaxSequences = 6, MaxPromptTokens = 8, PrefillChunkTokens = 4, Sampling = new SamplingOptions { MaxNewTokens = 12, TopP = 0.9 } };
        using var g = new ContinuousGenerator(m, options);
        var rng = new Random(5);
        var next = 0L;
        void Rounds(int n)
        {
            // Keep a queue so admissions happen between decode steps, prompts of varying length and sample counts.
            for (var i = 0; i < n; i++)
            {
                for (; g.Requests < 4; next++)
                    g.Submit(new GenerationRequest(next, TestModels.RandomIds(rng, rng.Next(1, 9)), [(ulong)next, (ulong)next + 1, (ulong)next + 2],
                        MaxNewTokens: rng.Next(1, 13)));
                g.Step();
            }
        }
        Rounds(60); // warm-up
        var before = RssBytes();
        var admittedBefore = g.Counters.PrefillTokens;
        Rounds(300);
        var growth = (RssBytes() - before) / (1024.0 * 1024.0);
        Assert.True(g.Counters.PrefillTokens - admittedBefore > 200, "many prompts were admitted");
        Assert.True(growth < 50, $"RSS grew by {growth:F1} MB over 300 steps of admissions");
    }
}
