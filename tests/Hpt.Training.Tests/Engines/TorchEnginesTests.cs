using Hpt.Core.Configuration;
using Hpt.Model;
using Hpt.Model.Sampling;
using Hpt.Model.Scoring;
using Hpt.Model.Tokenizers;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using static TorchSharp.torch;

namespace Hpt.Training.Tests.Engines;

public sealed class TorchEnginesTests
{
    private static readonly CharTokenizer Tokenizer = new();
    private static readonly PromptCodec Codec = new(Tokenizer);
    private static readonly ModelConfig Config = ModelConfig.Tiny(Tokenizer.VocabSize, hiddenSize: 32, layers: 2, heads: 4, kvHeads: 2, maxPositions: 128);
    private static readonly TrainerOptions Learner = new(1e-2, 0.0, 0.9, 0.999, 1, 4096);
    private static readonly SamplingOptions Sampling = new() { MaxNewTokens = 12, StopTokenIds = [Tokenizer.EosId], PadTokenId = Tokenizer.PadId };

    private static TorchLearnerEngine NewLearner(string preset = "hpt") =>
        new(CausalLM.Create(Config, seed: 1), Codec, AlgorithmFactory.Create(AlgorithmPresets.Get(preset)), Learner);

    private static TorchRolloutEngine NewRollout() => new(CausalLM.Create(Config, seed: 99), Codec, Sampling, runSeed: 5);

    [Fact]
    public void Learner_recomputes_exactly_the_sampler_log_probs_so_the_ratio_is_one_at_staleness_zero()
    {
        using var learner = NewLearner();
        using var rollout = NewRollout();
        rollout.LoadPolicy(learner.Snapshot());
        var rollouts = rollout.Generate(Request(3, 6));

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var scored = new Scorer(learner.Model).Score(
            rollouts.Select(r => (IReadOnlyList<int>)r.PromptTokens).ToArray(),
            rollouts.Select(r => (IReadOnlyList<int>)r.ResponseTokens).ToArray());
        var host = scored.LogProbs.data<float>().ToArray();
        var t = (int)scored.LogProbs.shape[1];
        var worst = 0.0;
        for (var r = 0; r < rollouts.Count; r++)
            for (var i = 0; i < rollouts[r].ResponseTokens.Length; i++)
                worst = Math.Max(worst, Math.Abs(Math.Exp(host[r * t + i] - rollouts[r].BehaviourLogProbs[i]) - 1));
        Assert.True(worst < 1e-4, $"max |ratio - 1| = {worst}");
    }

    [Fact]
    public void Rollout_engine_samples_the_same_group_for_a_prompt_on_any_worker()
    {
        using var learner = NewLearner();
        using var a = NewRollout();
        using var b = NewRollout();
        a.LoadPolicy(learner.Snapshot());
        b.LoadPolicy(learner.Snapshot());
        b.Generate(Request(1, 3)); // b has other history; the result must not depend on it
        var fromA = a.Generate(Request(7, 4));
        var fromB = b.Generate(Request(7, 4));
        Assert.Equal(fromA.Select(r => r.ResponseTokens), fromB.Select(r => r.ResponseTokens));
    }

    [Fact]
    public void Published_policy_reaches_the_rollout_engine_with_its_version_after_a_step()
    {
        using var learner = NewLearner();
        using var rollout = NewRollout();
        var batch = new[] { SftItem(0, "12+3=", "ans 15") };
        learner.Train(batch);
        rollout.LoadPolicy(learner.Snapshot());
        Assert.Equal(1, rollout.PolicyVersion);
        Assert.Equal(1, learner.PolicyVersion);
    }

    [Fact]
    public void Rollout_engine_samples_the_same_group_from_verified_file_bytes_as_from_live_weights()
    {
        using var learner = NewLearner();
        learner.Train([SftItem(0, "12+3=", "ans 15")]);
        using var live = NewRollout();
        using var fromFile = NewRollout();
        live.LoadPolicy(learner.Snapshot());
        var bytes = Hpt.Model.Weights.PolicyWeights.ToBytes(learner.Model);
        fromFile.LoadPolicy(new PolicySnapshot(1, new VerifiedWeightBytes(bytes, "unchecked-here")));
        Assert.Equal(1, fromFile.PolicyVersion);
        Assert.Equal(live.Generate(Request(7, 4)).Select(r => r.ResponseTokens), fromFile.Generate(Request(7, 4)).Select(r => r.ResponseTokens));
    }

    [Fact]
    public void Sft_steps_lower_the_loss_on_a_demonstration()
    {
        using var learner = NewLearner("sft");
        var batch = new[] { SftItem(0, "12+3=", "2+3=5\nans 15"), SftItem(1, "4+4=", "ans 8") };
        var first = learner.Train(batch).Loss;
        double last = first;
        for (var i = 0; i < 15; i++) last = learner.Train(batch).Loss;
        Assert.True(last < first * 0.7, $"loss {first} -> {last}");
    }

    [Fact]
    public void Checkpoint_round_trip_restores_weights_and_version_bitwise()
    {
        var folder = Directory.CreateTempSubdirectory("hpt-engine-").FullName;
        try
        {
            using var learner = NewLearner("sft");
            var batch = new[] { SftItem(0, "1+1=", "ans 2") };
            learner.Train(batch);
            learner.SaveCheckpoint(folder, withOptimizer: true);
            var saved = Hpt.Model.Weights.PolicyWeights.ToBytes(learner.Model);
            var next = learner.Train(batch).Loss;

            using var resumed = NewLearner("sft");
            resumed.LoadCheckpoint(folder, 1);
            Assert.Equal(saved, Hpt.Model.Weights.PolicyWeights.ToBytes(resumed.Model));
            Assert.Equal(1, resumed.PolicyVersion);
            Assert.Equal(next, resumed.Train(batch).Loss); // optimizer state restored too
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Bf16_learner_moves_rms_norm_weights_that_pure_bf16_updates_round_away()
    {
        // A bf16 norm weight of 1.0 has neighbours 1 - 2^-8 and 1 + 2^-7: an AdamW step of about the learning rate
        // (1e-3 here) rounds back to 1.0 every time, unless the steps add up on fp32 master weights.
        var settings = Learner with { LearningRate = 1e-3 };
        using var learner = new TorchLearnerEngine(CausalLM.Create(Config, new ModelOptions("cpu", "bf16"), seed: 1), Codec,
            AlgorithmFactory.Create(AlgorithmPresets.Get("sft")), settings);
        var before = learner.Model.Weights().ToDictionary(w => w.Name, w => Bytes(w.Param));
        var batch = new[] { SftItem(0, "12+3=", "2+3=5\nans 15"), SftItem(1, "4+4=", "ans 8") };
        for (var i = 0; i < 6; i++) learner.Train(batch);
        Assert.Equal(ScalarType.BFloat16, learner.Model.Weights()[0].Param.dtype); // the model stays in its dtype
        var unchanged = learner.Model.Weights().Where(w => before[w.Name].SequenceEqual(Bytes(w.Param))).Select(w => w.Name).ToList();
        Assert.True(unchanged.Count == 0, $"{unchanged.Count} of {before.Count} tensors unchanged, e.g. {string.Join(", ", unchanged.Take(4))}");
    }

    [Fact]
    public void A_micro_batch_that_cannot_fit_fails_naming_the_key_before_anything_is_applied()
    {
        using var learner = new TorchLearnerEngine(CausalLM.Create(Config, seed: 1), Codec,
            AlgorithmFactory.Create(AlgorithmPresets.Get("sft")), Learner, availableMemory: () => 1 << 20);
        var before = Hpt.Model.Weights.PolicyWeights.ToBytes(learner.Model);
        var e = Assert.Throws<Hpt.Model.Memory.MicroBatchTooLargeException>(() => learner.Train([SftItem(0, "12+3=", "ans 15")]));
        Assert.Equal("hpt.learner.micro-batch-tokens", e.Key);
        Assert.Contains("lower hpt.learner.micro-batch-tokens (now 4096)", e.Message);
        Assert.Equal(before, Hpt.Model.Weights.PolicyWeights.ToBytes(learner.Model));
        Assert.Equal(0, learner.PolicyVersion);
    }

    private static byte[] Bytes(Tensor t)
    {
        using var c = t.detach().contiguous();
        return c.bytes.ToArray();
    }

    private static RolloutRequest Request(long seq, int samples) => new(seq, $"{seq}+{seq}=", samples);

    private static StepPrompt SftItem(long seq, string prompt, string demonstration) =>
        new(seq, prompt, [new TrainRow(null, demonstration, 0, 0, 1)]);
}
