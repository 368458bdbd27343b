using Hpt.Model.Scoring;
using static TorchSharp.torch;

namespace Hpt.Model.Tests;

public sealed class CheckpointedLayerFunctionTests
{
    private static readonly int[][] Prompts = [[5, 9, 2, 11, 40, 3, 7], [17, 4], [8, 8, 30, 1]];
    private static readonly int[][] Responses = [[1, 2, 3, 4, 5, 6], [7], [9, 10, 11]];

    /// <summary>The learner's shape of loss (log-probs and entropy) and every parameter's gradient, fp32 copies.</summary>
    private static (float Loss, Dictionary<string, Tensor> Grads) LossAndGradients(CausalLM m)
    {
        m.zero_grad();
        float loss;
        using (var scope = NewDisposeScope())
        {
            var score = new Scorer(m).Score(Prompts, Responses, withGrad: true);
            var l = -(score.LogProbs.sum() + 0.1 * score.Entropies.sum()) / score.Mask.sum();
            l.backward();
            loss = l.item<float>();
        }
        AutogradHandoff.Release();
        var grads = m.Weights().ToDictionary(w => w.Name, w => w.Param.grad!.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope());
        m.zero_grad();
        return (loss, grads);
    }

    [Theory]
    [InlineData("fp32", false, 1e-5)]
    [InlineData("fp32", true, 1e-5)]
    [InlineData("bf16", false, 1e-2)]
    public void Checkpointed_layers_give_the_same_loss_and_gradients(string dtype, bool tied, double tolerance)
    {
        using var m = CausalLM.Create(TestModels.TinyConfig(tied: tied), new ModelOptions("cpu", dtype), seed: 21);
        var (plainLoss, plain) = LossAndGradients(m);
        m.ActivationCheckpointing = true;
        var (checkpointedLoss, checkpointed) = LossAndGradients(m);
        try
        {
            Assert.Equal(plainLoss, checkpointedLoss, 1e-6f);
            foreach (var (name, e) in plain)
            {
                var scale = e.abs().max().item<float>();
                var diff = (checkpointed[name] - e).abs().max().item<float>();
                Assert.True(scale > 0, $"{name}: no gradient");
                Assert.True(diff <= tolerance * scale, $"{name}: max |diff| {diff} vs max |grad| {scale}");
            }
        }
        finally
        {
            foreach (var t in plain.Values.Concat(checkpointed.Values)) t.Dispose();
        }
    }

    [Fact]
    public void Checkpointing_leaves_no_grad_forwards_and_the_kv_cache_path_unchanged()
    {
        using var m = TestModels.Tiny(seed: 22);
        using var plain = new Scorer(m).Score(Prompts, Responses);
        m.ActivationCheckpointing = true;
        using var checkpointed = new Scorer(m).Score(Prompts, Responses);
        Assert.Equal(TestModels.Bytes(plain.LogProbs), TestModels.Bytes(checkpointed.LogProbs));
        var samples = new Hpt.Model.Sampling.Sampler(m).Generate(Prompts, new Hpt.Model.Sampling.SamplingOptions { MaxNewTokens = 5, Seed = 1 });
        Assert.All(samples, s => Assert.Equal(5, s.TokenIds.Length));
    }
}
