using Hpt.Core.Configuration;
using Hpt.Model;
using Hpt.Model.Sampling;
using Hpt.Model.Tokenizers;
using Hpt.Model.Weights;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;

namespace Hpt.Training.Tests;

/// <summary>One training step on a tiny model: pi_prox, the decoupled objective, step-level stages.</summary>
public sealed class TrainerTests
{
    private static readonly CharTokenizer Tokenizer = new();
    private static readonly PromptCodec Codec = new(Tokenizer);
    private static readonly ModelConfig Config = ModelConfig.Tiny(Tokenizer.VocabSize, hiddenSize: 32, layers: 2, heads: 4, kvHeads: 2, maxPositions: 128);
    private static readonly SamplingOptions Sampling = new() { MaxNewTokens = 10, StopTokenIds = [Tokenizer.EosId], PadTokenId = Tokenizer.PadId };

    private static TrainerOptions Options(int miniBatches, double learningRate = 1e-2) =>
        new(learningRate, 0.0, 0.9, 0.999, miniBatches, 4096);

    private static TorchLearnerEngine Learner(AlgorithmConfig config, TrainerOptions options) =>
        new(CausalLM.Create(Config, seed: 1), Codec, AlgorithmFactory.Create(config), options);

    /// <summary>Groups sampled from the learner's current policy, with alternating +1 / -1 advantages.</summary>
    private static StepPrompt[] Fresh(TorchLearnerEngine learner, int prompts, int samples)
    {
        using var rollout = new TorchRolloutEngine(CausalLM.Create(Config, seed: 99), Codec, Sampling, runSeed: 5);
        rollout.LoadPolicy(learner.Snapshot());
        return Enumerable.Range(0, prompts).Select(p =>
        {
            var request = new RolloutRequest(p, $"{p}+{p}=", samples);
            var rows = rollout.Generate(request).Select((r, i) => new TrainRow(r, null, i % 2 == 0 ? 1.0 : -1.0, 1, 0)).ToArray();
            return new StepPrompt(p, request.Prompt, rows);
        }).ToArray();
    }

    [Fact]
    public void Second_mini_batch_clips_against_the_policy_at_the_start_of_the_step()
    {
        var config = AlgorithmPresets.Grpo with { OffPolicyCorrection = OffPolicyCorrectionKind.Off };
        using var learner = Learner(config, Options(miniBatches: 2, learningRate: 5e-2));
        var batch = Fresh(learner, prompts: 4, samples: 4);

        var result = learner.Train(batch);

        Assert.Equal(2, result.MiniBatches.Count);
        var (first, second) = (result.MiniBatches[0], result.MiniBatches[1]);
        // The first mini-batch trains the weights pi_prox was taken from: ratio exactly 1, nothing clipped.
        Assert.Equal((1.0, 1.0, 0.0), (first.RatioMin, first.RatioMax, first.ClipFraction));
        // The second sees the first optimizer step: pi_theta / pi_prox moved past 1 +- 0.2 on some tokens.
        Assert.True(second.RatioMax > 1.2 || second.RatioMin < 0.8, $"ratio in [{second.RatioMin}, {second.RatioMax}]");
        Assert.True(second.ClipFraction > 0, $"clip fraction {second.ClipFraction}");
        Assert.True(result.ProximalSeconds > 0);
    }

    [Fact]
    public void One_mini_batch_needs_no_proximal_scoring_pass()
    {
        using var learner = Learner(AlgorithmPresets.Grpo, Options(miniBatches: 1));
        var result = learner.Train(Fresh(learner, prompts: 2, samples: 3));
        Assert.Single(result.MiniBatches);
        Assert.Equal(1.0, result.MiniBatches[0].RatioMax);
    }

    [Fact]
    public void Stale_samples_are_weighted_by_the_truncated_proximal_behaviour_ratio_and_reported()
    {
        var config = AlgorithmPresets.Grpo with { OffPolicyCorrection = OffPolicyCorrectionKind.On, TisCap = 2.0 };
        using var learner = Learner(config, Options(miniBatches: 1));
        var batch = Fresh(learner, prompts: 2, samples: 2);
        // The first prompt's samples come from a policy under which every token was e times less likely than under
        // pi_prox: weight min(e, 2) = 2, truncated; KL(behaviour || prox) by k3 = e - 2 per token.
        var stale = batch[0].Rows.Select(r => r with
        {
            Rollout = r.Rollout! with { BehaviourLogProbs = r.Rollout.BehaviourLogProbs.Select(lp => lp - 1f).ToArray() },
        }).ToArray();
        var staleTokens = stale.Sum(r => r.Rollout!.ResponseTokens.Length);
        var allTokens = batch.SelectMany(p => p.Rows).Sum(r => r.Rollout!.ResponseTokens.Length);
        batch[0] = batch[0] with { Rows = stale };

        var result = learner.Train(batch);

        Assert.Equal(staleTokens / (double)allTokens, result.TruncatedTokenFraction, 6);
        Assert.Equal((Math.E - 2) * staleTokens / allTokens, result.MismatchKl, 2);
    }

    [Fact]
    public void Ppo_clip_trains_on_advantages_whitened_over_the_step()
    {
        // REINFORCE++ advantages are raw rewards: a step where every rollout scored 1 has nothing to learn once
        // whitened over the step (all advantages 0), so the weights must not move.
        var config = AlgorithmPresets.PpoClip with { OffPolicyCorrection = OffPolicyCorrectionKind.Off };
        using var learner = Learner(config, Options(miniBatches: 1));
        var batch = Fresh(learner, prompts: 2, samples: 3)
            .Select(p => p with { Rows = p.Rows.Select(r => r with { Advantage = 1.0 }).ToArray() })
            .ToArray();
        var before = PolicyWeights.ToBytes(learner.Model);

        learner.Train(batch);

        Assert.Equal(before, PolicyWeights.ToBytes(learner.Model));
    }
}
