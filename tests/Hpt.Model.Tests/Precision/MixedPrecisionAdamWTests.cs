using Hpt.Model.Precision;
using Hpt.Model.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Precision;

public sealed class MixedPrecisionAdamWTests
{
    private static readonly int[][] Prompts = [[5, 9, 2, 11], [17, 4]];
    private static readonly int[][] Responses = [[1, 2, 3, 4, 5], [7, 8]];

    /// <summary>One SFT-like backward (mean negative log-likelihood of the responses) into the model's gradients.</summary>
    private static void Backward(CausalLM m)
    {
        using (var scope = NewDisposeScope())
        {
            var score = new Scorer(m).Score(Prompts, Responses, withGrad: true);
            (-score.LogProbs.sum() / score.Mask.sum()).backward();
        }
        AutogradHandoff.Release();
    }

    private static void Steps(CausalLM m, MixedPrecisionAdamW opt, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            Backward(m);
            opt.AccumulateGradients();
            opt.Step();
            opt.ZeroGrad();
        }
    }

    private static Dictionary<string, byte[]> Snapshot(IEnumerable<(string Name, Tensor T)> tensors) =>
        tensors.ToDictionary(t => t.Name, t => TestModels.Bytes(t.T));

    private static List<string> Unchanged(Dictionary<string, byte[]> before, IEnumerable<(string Name, Tensor T)> after) =>
        after.Where(t => before[t.Name].SequenceEqual(TestModels.Bytes(t.T))).Select(t => t.Name).ToList();

    [Fact]
    public void Plain_bf16_AdamW_at_lr_1e_4_leaves_the_rms_norm_weights_unchanged()
    {
        // The defect the master weights fix, kept as a guard on the premise of the next test.
        using var m = TestModels.Tiny(seed: 3, dtype: "bf16");
        var before = Snapshot(m.Weights().Select(w => (w.Name, (Tensor)w.Param)));
        using var opt = optim.AdamW(m.parameters(), 1e-4);
        for (var i = 0; i < 2; i++)
        {
            Backward(m);
            opt.step();
            opt.zero_grad();
        }
        var unchanged = Unchanged(before, m.Weights().Select(w => (w.Name, (Tensor)w.Param)));
        Assert.Contains("model.layers.0.input_layernorm.weight", unchanged);
        Assert.Contains("model.norm.weight", unchanged);
    }

    [Fact]
    public void Two_steps_at_lr_1e_4_on_a_bf16_model_move_every_fp32_master_weight_and_the_model_holds_them_rounded()
    {
        using var m = TestModels.Tiny(seed: 3, dtype: "bf16");
        using var opt = new MixedPrecisionAdamW(m.Weights(), 1e-4, 0.9, 0.999, 0.01);
        Assert.True(opt.HasMasters);
        Assert.All(opt.Parameters, p => Assert.Equal(ScalarType.Float32, p.dtype));
        var names = m.Weights().Select(w => w.Name).ToArray();
        IEnumerable<(string, Tensor)> Masters() => opt.Parameters.Select((p, i) => (names[i], (Tensor)p));
        var before = Snapshot(Masters());

        Steps(m, opt, 2);

        var unchanged = Unchanged(before, Masters());
        Assert.True(unchanged.Count == 0, $"{unchanged.Count} master tensors unchanged: {string.Join(", ", unchanged)}");
        var weights = m.Weights();
        for (var i = 0; i < weights.Count; i++)
        {
            Assert.Equal(ScalarType.BFloat16, weights[i].Param.dtype);
            using var rounded = opt.Parameters[i].detach().to(ScalarType.BFloat16);
            Assert.Equal(TestModels.Bytes(rounded), TestModels.Bytes(weights[i].Param));
        }
    }

    [Fact]
    public void Save_and_load_restore_the_fp32_masters_so_the_next_step_is_identical()
    {
        var dir = TestModels.TempDir();
        var (optPath, mastersPath) = (Path.Combine(dir, "optimizer.pt"), Path.Combine(dir, "masters.safetensors"));
        using var m = TestModels.Tiny(seed: 4, dtype: "bf16");
        using var opt = new MixedPrecisionAdamW(m.Weights(), 1e-4, 0.9, 0.999, 0.0);
        Steps(m, opt, 2);
        opt.Save(optPath, mastersPath);
        var modelBytes = Hpt.Model.Weights.PolicyWeights.ToBytes(m);
        Steps(m, opt, 1);
        var expected = opt.Parameters.Select(p => TestModels.Bytes(p)).ToArray();

        using var resumed = TestModels.Tiny(seed: 99, dtype: "bf16");
        Hpt.Model.Weights.PolicyWeights.FromBytes(resumed, modelBytes);
        using var resumedOpt = new MixedPrecisionAdamW(resumed.Weights(), 1e-4, 0.9, 0.999, 0.0);
        resumedOpt.Load(optPath, mastersPath);
        Steps(resumed, resumedOpt, 1);
        Assert.Equal(expected, resumedOpt.Parameters.Select(p => TestModels.Bytes(p)).ToArray());
    }

    [Fact]
    public void An_fp32_model_gets_no_copies_and_steps_exactly_like_plain_AdamW()
    {
        using var a = TestModels.Tiny(seed: 5);
        using var b = TestModels.Tiny(seed: 5);
        using var mixed = new MixedPrecisionAdamW(a.Weights(), 1e-3, 0.9, 0.999, 0.01);
        Assert.False(mixed.HasMasters);
        Assert.Same(a.Weights()[0].Param, mixed.Parameters[0]);
        using var plain = optim.AdamW(b.parameters(), 1e-3, 0.9, 0.999, weight_decay: 0.01);
        Steps(a, mixed, 2);
        for (var i = 0; i < 2; i++)
        {
            Backward(b);
            plain.step();
            plain.zero_grad();
        }
        Assert.Equal(Hpt.Model.Weights.PolicyWeights.ToBytes(b), Hpt.Model.Weights.PolicyWeights.ToBytes(a));
    }
}
