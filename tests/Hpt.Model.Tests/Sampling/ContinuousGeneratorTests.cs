using System.Runtime.InteropServices;
using Hpt.Model.Sampling;
using Hpt.Model.Scoring;
using Hpt.Model.Weights;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Sampling;

public sealed class ContinuousGeneratorTests
{
    private static readonly int[][] Prompts = [[5, 9, 2, 11, 40, 3, 7], [17, 4], [8, 8, 30, 1], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]];

    private static ulong[] Seeds(int prompt, int samples) => Enumerable.Range(0, samples).Select(i => RowRandom.RowSeed((ulong)(prompt + 1) * 1000, i)).ToArray();

    private static ContinuousOptions Options(SamplingOptions sampling, int slots, int chunk = 128) =>
        new() { MaxSequences = slots, MaxPromptTokens = 16, PrefillChunkTokens = chunk, Sampling = sampling };

    /// <summary>Today's engine: each prompt alone, repeated once per sample, the same row seeds.</summary>
    private static IReadOnlyList<GeneratedSample>[] GroupMode(CausalLM m, SamplingOptions o, int samples)
    {
        var sampler = new Sampler(m);
        return Prompts.Select((p, i) => sampler.Generate(Enumerable.Repeat<IReadOnlyList<int>>(p, samples).ToArray(), o, rowSeeds: Seeds(i, samples))).ToArray();
    }

    private static Dictionary<long, GeneratedGroup> Continuous(CausalLM m, ContinuousOptions o, int samples)
    {
        using var g = new ContinuousGenerator(m, o);
        for (var i = 0; i < Prompts.Length; i++) g.Submit(new GenerationRequest(i, Prompts[i], Seeds(i, samples)));
        var groups = g.RunToCompletion().ToDictionary(x => x.RequestId);
        Assert.False(g.HasWork);
        Assert.Equal(0, g.Active);
        return groups;
    }

    [Fact]
    public void Greedy_decoding_gives_the_same_tokens_as_the_group_engine()
    {
        using var m = TestModels.Tiny(seed: 3);
        var o = new SamplingOptions { Temperature = 0, MaxNewTokens = 14, StopTokenIds = [7, 19] };
        var expected = GroupMode(m, o, samples: 3);
        // 4 slots for 4 prompts x 3 samples, prefill chunks of 3 tokens: queueing, partial admission and chunked prefill.
        var got = Continuous(m, Options(o, slots: 4, chunk: 3), samples: 3);
        for (var i = 0; i < Prompts.Length; i++)
            for (var s = 0; s < 3; s++)
            {
                Assert.Equal(expected[i][s].TokenIds, got[i].Samples[s].TokenIds);
                Assert.Equal(expected[i][s].Truncated, got[i].Samples[s].Truncated);
                for (var t = 0; t < expected[i][s].LogProbs.Length; t++) Assert.Equal(expected[i][s].LogProbs[t], got[i].Samples[s].LogProbs[t], 1e-4f);
            }
    }

    [Fact]
    public void Steps_split_into_row_groups_give_the_tokens_of_libtorch_and_of_the_group_engine()
    {
        using var m = TestModels.Tiny(seed: 6);
        var o = new SamplingOptions { Temperature = 0, MaxNewTokens = 12, StopTokenIds = [7] };
        var expected = GroupMode(m, o, samples: 10);
        // 4 prompts x 10 samples in 40 slots: the steps have more rows than KernelDecodeMaxRows, so they run as one
        // row group per thread (FewRowLinear on each); CpuKernel off runs the same on libtorch alone.
        Assert.True(4 * 10 > ContinuousGenerator.KernelDecodeMaxRows);
        var kernel = Continuous(m, Options(o, slots: 40), samples: 10);
        var libtorch = Continuous(m, Options(o, slots: 40) with { CpuKernel = false }, samples: 10);
        for (var i = 0; i < Prompts.Length; i++)
            for (var s = 0; s < 10; s++)
            {
                Assert.Equal(expected[i][s].TokenIds, kernel[i].Samples[s].TokenIds);
                Assert.Equal(expected[i][s].TokenIds, libtorch[i].Samples[s].TokenIds);
                for (var t = 0; t < expected[i][s].LogProbs.Length; t++) Assert.Equal(expected[i][s].LogProbs[t], kernel[i].Samples[s].LogProbs[t], 1e-4f);
            }
    }

    [Fact]
    public void A_prompt_longer_than_a_kernel_piece_is_prefilled_in_pieces_with_the_tokens_of_one_forward()
    {
        using var m = TestModels.Tiny(seed: 8);
        var o = new SamplingOptions { Temperature = 0, MaxNewTokens = 10 };
        var prompt = TestModels.RandomIds(new Random(3), 2 * Hpt.Model.Kernels.FewRowLinear.MaxRows + 17);
        var expected = new Sampler(m).Generate([prompt, prompt], o, rowSeeds: Seeds(0, 2));
        foreach (var kernel in new[] { true, false })
        {
            var options = new ContinuousOptions { MaxSequences = 4, MaxPromptTokens = prompt.Length, PrefillChunkTokens = 200, Sampling = o, CpuKernel = kernel };
            using var g = new ContinuousGenerator(m, options);
            g.Submit(new GenerationRequest(0, prompt, Seeds(0, 2)));
            var got = g.RunToCompletion().Single();
            for (var s = 0; s < 2; s++)
            {
                Assert.Equal(expected[s].TokenIds, got.Samples[s].TokenIds);
                for (var t = 0; t < expected[s].LogProbs.Length; t++) Assert.Equal(expected[s].LogProbs[t], got.Samples[s].LogProbs[t], 1e-4f);
            }
            Assert.Equal(prompt.Length, g.Counters.PrefillTokens);
        }
    }

    [Fact]
    public void Sampled_tokens_depend_only_on_the_row_seed_not_on_the_batch()
    {
        using var m = TestModels.Tiny(seed: 4);
        var o = new SamplingOptions { MaxNewTokens = 12, TopP = 0.95 };
        var expected = GroupMode(m, o, samples: 2);
        foreach (var slots in new[] { 1, 3, 8 })
        {
            var got = Continuous(m, Options(o, slots, chunk: 5), samples: 2);
            for (var i = 0; i < Prompts.Length; i++)
                for (var s = 0; s < 2; s++)
                {
                    Assert.Equal(expected[i][s].TokenIds, got[i].Samples[s].TokenIds);
                    for (var t = 0; t < expected[i][s].LogProbs.Length; t++)
                        Assert.Equal(expected[i][s].SamplingLogProbs[t], got[i].Samples[s].SamplingLogProbs[t], 1e-4f);
                }
        }
    }

    [Fact]
    public void A_slot_freed_by_a_short_sequence_is_reused_before_the_long_one_ends()
    {
        using var m = TestModels.Tiny(seed: 5);
        var o = new SamplingOptions { MaxNewTokens = 20, Seed = 1 };
        using var g = new ContinuousGenerator(m, Options(o, slots: 2));
        g.Submit(new GenerationRequest(0, Prompts[0], [11], MaxNewTokens: 3)); // short
        g.Submit(new GenerationRequest(1, Prompts[1], [12]));                  // long
        g.Submit(new GenerationRequest(2, Prompts[2], [13], MaxNewTokens: 3)); // waits for a slot
        var admittedAt = new Dictionary<long, int>();
        var completedAt = new Dictionary<long, int>();
        var groups = new Dictionary<long, GeneratedGroup>();
        for (var step = 0; g.HasWork; step++)
        {
            var r = g.Step();
            Assert.True(r.DecodedRows <= 2);
            foreach (var a in r.Admitted) admittedAt.TryAdd(a.RequestId, step);
            foreach (var c in r.Completed) { completedAt[c.RequestId] = step; groups[c.RequestId] = c; }
        }
        Assert.Equal(0, admittedAt[0]);
        Assert.Equal(0, admittedAt[1]);
        Assert.True(admittedAt[2] > 0, "the third prompt had no slot at first");
        Assert.True(admittedAt[2] <= completedAt[0] + 1, "admitted in the step after the short one left");
        Assert.True(completedAt[2] < completedAt[1], "and finished while the long one was still decoding");
        Assert.Equal(3, groups[2].Samples[0].TokenIds.Length);
        Assert.Equal(20, groups[1].Samples[0].TokenIds.Length);
        // The result of the prompt that reused the slot is what it gives alone.
        var alone = new Sampler(m).Generate([Prompts[2]], o with { MaxNewTokens = 3 }, rowSeeds: [13])[0];
        Assert.Equal(alone.TokenIds, groups[2].Samples[0].TokenIds);
    }

    [Fact]
    public void A_prompt_is_prefilled_once_for_all_its_samples()
    {
        using var m = TestModels.Tiny(seed: 6);
        var o = new SamplingOptions { MaxNewTokens = 4 };
        using var g = new ContinuousGenerator(m, Options(o, slots: 8));
        g.Submit(new GenerationRequest(0, Prompts[3], Seeds(3, 6)));
        var groups = g.RunToCompletion();
        Assert.Equal(Prompts[3].Length, g.Counters.PrefillTokens);
        Assert.Equal(5, g.Counters.SharedPrefixCopies);
        Assert.Equal(6, groups.Single().Samples.Count);
        Assert.Equal(6 * 4, g.Counters.GeneratedTokens);
    }

    [Fact]
    public void A_sample_that_waited_for_a_slot_copies_its_prompt_from_a_running_sibling_instead_of_prefilling_again()
    {
        using var m = TestModels.Tiny(seed: 11);
        var o = new SamplingOptions { MaxNewTokens = 10 };
        using var g = new ContinuousGenerator(m, Options(o, slots: 3));
        g.Submit(new GenerationRequest(0, Prompts[1], [31], MaxNewTokens: 2)); // leaves after step 2
        g.Submit(new GenerationRequest(1, Prompts[0], Seeds(0, 3)));           // 2 of 3 samples fit at first
        var first = g.Step();
        Assert.Equal(3, first.Admitted.Count);
        Assert.Equal(1, g.WaitingSamples);
        var groups = g.RunToCompletion().ToDictionary(x => x.RequestId);
        Assert.Equal(Prompts[1].Length + Prompts[0].Length, g.Counters.PrefillTokens); // no second prefill of prompt 1
        Assert.Equal(2, g.Counters.SharedPrefixCopies); // one at the prefill, one from the sibling
        var alone = new Sampler(m).Generate(Enumerable.Repeat<IReadOnlyList<int>>(Prompts[0], 3).ToArray(), o, rowSeeds: Seeds(0, 3));
        for (var s = 0; s < 3; s++) Assert.Equal(alone[s].TokenIds, groups[1].Samples[s].TokenIds);
    }

    [Fact]
    public void A_long_prompt_is_prefilled_in_chunks_while_the_others_keep_decoding()
    {
        using var m = TestModels.Tiny(seed: 7);
        var o = new SamplingOptions { MaxNewTokens = 30 };
        using var g = new ContinuousGenerator(m, new ContinuousOptions { MaxSequences = 4, MaxPromptTokens = 64, PrefillChunkTokens = 6, Sampling = o });
        g.Submit(new GenerationRequest(0, Prompts[1], [1]));
        g.Step(); // admitted and decoding
        var longPrompt = TestModels.RandomIds(new Random(3), 40);
        g.Submit(new GenerationRequest(1, longPrompt, [2]));
        var steps = 0;
        while (g.Active < 2)
        {
            var before = g.Counters.PrefillTokens;
            var r = g.Step();
            Assert.True(g.Counters.PrefillTokens - before <= 6, "at most one chunk between two decode steps");
            Assert.True(r.DecodedRows >= 1, "the running sequence decoded in every step");
            steps++;
        }
        Assert.Equal(7, steps); // ceil(40 / 6)
        var done = g.RunToCompletion().ToDictionary(x => x.RequestId);
        var alone = new Sampler(m).Generate([longPrompt], o, rowSeeds: [2])[0];
        Assert.Equal(alone.TokenIds, done[1].Samples[0].TokenIds);
    }

    [Theory]
    [InlineData(KvAfterUpdate.Recompute)]
    [InlineData(KvAfterUpdate.Keep)]
    public void A_weight_update_mid_sequence_gives_tokens_of_two_versions_whose_log_probs_match_each_version(KvAfterUpdate mode)
    {
        using var m = TestModels.Tiny(seed: 8);
        using var v0 = TestModels.Tiny(seed: 8);
        using var v1 = TestModels.Tiny(seed: 9);
        var o = new SamplingOptions { MaxNewTokens = 12 };
        using var g = new ContinuousGenerator(m, Options(o, slots: 4) with { KvAfterUpdate = mode });
        g.Submit(new GenerationRequest(0, Prompts[0], [21, 22]));
        for (var i = 0; i < 5; i++) g.Step();
        PolicyWeights.CopyInto(v1, m); // between two decode steps
        g.PolicyVersion = 1;
        var group = g.RunToCompletion().Single();

        foreach (var sample in group.Samples)
        {
            var versions = sample.VersionPerToken();
            // 5 steps: the first token (drawn from the prefill's last state in step 1's lm head) and 4 decodes.
            Assert.Equal([0L, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], versions);
            Assert.Equal(0, sample.PolicyVersion); // the oldest token's version
            var under0 = Rescore(v0, Prompts[0], sample.TokenIds);
            var under1 = Rescore(v1, Prompts[0], sample.TokenIds);
            for (var t = 0; t < 5; t++) Assert.Equal(under0[t], sample.LogProbs[t], 1e-4f);
            if (mode == KvAfterUpdate.Recompute)
                for (var t = 5; t < 12; t++) Assert.Equal(under1[t], sample.LogProbs[t], 1e-4f);
            else
            {
                // Kept KV: the first token after the update is conditioned on keys of the old weights, so it is not
                // what the new policy alone gives (the documented price of keeping the KV).
                Assert.True(Math.Abs(under1[5] - sample.LogProbs[5]) > 1e-4, "keep mode reused the old KV");
                Assert.True(Math.Abs(under0[5] - sample.LogProbs[5]) > 1e-4, "the new weights sampled the token");
            }
        }
    }

    [Fact]
    public void Cancel_drops_a_request_and_frees_its_slots()
    {
        using var m = TestModels.Tiny(seed: 10);
        var o = new SamplingOptions { MaxNewTokens = 10 };
        using var g = new ContinuousGenerator(m, Options(o, slots: 3));
        g.Submit(new GenerationRequest(0, Prompts[0], Seeds(0, 2)));
        g.Submit(new GenerationRequest(1, Prompts[1], Seeds(1, 2)));
        g.Step();
        Assert.Equal(3, g.Active); // 2 of request 0, 1 of request 1 (the other waits)
        Assert.True(g.Cancel(0));
        Assert.False(g.Cancel(0));
        Assert.Equal(1, g.Active);
        Assert.Equal([1L], g.RequestIds);
        var done = g.RunToCompletion().Single();
        Assert.Equal(1, done.RequestId);
        var expected = new Sampler(m).Generate([Prompts[1], Prompts[1]], o, rowSeeds: Seeds(1, 2));
        Assert.Equal(expected[1].TokenIds, done.Samples[1].TokenIds);
    }

    [Fact]
    public void Bad_requests_are_refused_with_a_clear_error()
    {
        using var m = TestModels.Tiny(seed: 1);
        using var g = new ContinuousGenerator(m, Options(new SamplingOptions { MaxNewTokens = 4 }, slots: 2));
        Assert.Contains("exceeds the 16", Assert.Throws<ArgumentException>(() => g.Submit(new GenerationRequest(0, new int[17], [1]))).Message);
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => g.Submit(new GenerationRequest(1, [1, 999], [1]))).Message);
        g.Submit(new GenerationRequest(2, [1, 2], [1]));
        Assert.Contains("already", Assert.Throws<ArgumentException>(() => g.Submit(new GenerationRequest(2, [1, 2], [1]))).Message);
    }

    private static float[] Rescore(CausalLM model, int[] prompt, int[] response)
    {
        using var scope = NewDisposeScope();
        var score = new Scorer(model).Score([prompt], [response], withEntropy: false);
        using var cpu = score.LogProbs.contiguous().cpu();
        return MemoryMarshal.Cast<byte, float>(cpu.bytes).ToArray();
    }
}
