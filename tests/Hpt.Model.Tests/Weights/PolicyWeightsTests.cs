using Hpt.Model.Sampling;
using Hpt.Model.Weights;

namespace Hpt.Model.Tests.Weights;

public sealed class PolicyWeightsTests
{
    [Fact]
    public void Copying_weights_makes_a_worker_generate_what_the_learner_would()
    {
        using var learner = TestModels.Tiny(seed: 1);
        using var worker = TestModels.Tiny(seed: 2);
        PolicyWeights.CopyInto(learner, worker);
        foreach (var ((n, a), (_, b)) in learner.Weights().Zip(worker.Weights()))
            Assert.True(TestModels.Bytes(a).AsSpan().SequenceEqual(TestModels.Bytes(b)), n);
        var o = new SamplingOptions { MaxNewTokens = 6, Seed = 4 };
        Assert.Equal(new Sampler(learner).Generate([[1, 2, 3]], o)[0].TokenIds, new Sampler(worker).Generate([[1, 2, 3]], o)[0].TokenIds);
    }

    [Fact]
    public void Copy_into_a_bf16_worker_converts_and_a_different_config_is_refused()
    {
        using var learner = TestModels.Tiny(seed: 1);
        using var worker = TestModels.Tiny(seed: 2, dtype: "bf16");
        PolicyWeights.CopyInto(learner, worker);
        Assert.True(TestModels.MaxAbsDiff(learner.Weights()[0].Param, worker.Weights()[0].Param) < 1e-2);
        using var other = CausalLM.Create(TestModels.TinyConfig(vocab: 70));
        Assert.Throws<ArgumentException>(() => PolicyWeights.CopyInto(learner, other));
    }

    [Fact]
    public void Snapshots_round_trip_through_bytes_and_files()
    {
        using var a = TestModels.Tiny(seed: 1);
        using var b = TestModels.Tiny(seed: 2);
        PolicyWeights.FromBytes(b, PolicyWeights.ToBytes(a));
        foreach (var ((n, x), (_, y)) in a.Weights().Zip(b.Weights()))
            Assert.True(TestModels.Bytes(x).AsSpan().SequenceEqual(TestModels.Bytes(y)), n);

        using var c = TestModels.Tiny(seed: 3);
        var path = Path.Combine(TestModels.TempDir(), "policy.safetensors");
        PolicyWeights.Save(a, path);
        PolicyWeights.Load(c, path);
        Assert.Equal(TestModels.Bytes(a.Weights()[^1].Param), TestModels.Bytes(c.Weights()[^1].Param));
        Assert.True(PolicyWeights.ToBytes(a, "bf16").Length < PolicyWeights.ToBytes(a).Length * 0.6);
    }
}
