using Hpt.Model.Scoring;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Hpt.Model.Tests.Scoring;

public sealed class ChunkedVocabFunctionTests
{
    private const int Rows = 11, Width = 16, Vocab = 37;

    /// <summary>Leaf hidden (N, d), weight (V, d), targets (N, 1) and loss coefficients, all from one seed.</summary>
    private static (Tensor Hidden, Tensor Weight, Tensor Targets, Tensor A, Tensor C) Inputs(ScalarType dtype, int seed)
    {
        var gen = new Generator((ulong)seed, CPU);
        var hidden = randn(Rows, Width, generator: gen).to(dtype).requires_grad_(true);
        var weight = (randn(Vocab, Width, generator: gen) * 0.5).to(dtype).requires_grad_(true);
        var targets = randint(0, Vocab, [Rows, 1], generator: gen);
        return (hidden, weight, targets, randn(Rows, generator: gen), randn(Rows, generator: gen));
    }

    /// <summary>Today's unchunked computation: plain autograd over the full (N, V) logits.</summary>
    private static (Tensor LogProbs, Tensor Entropies) Unchunked(Tensor hidden, Tensor weight, Tensor targets)
    {
        var logp = F.linear(hidden, weight).to(ScalarType.Float32).log_softmax(-1);
        return (logp.gather(-1, targets).squeeze(-1), -(logp.exp() * logp).sum(-1));
    }

    private static float RelativeDiff(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var e = expected.to(ScalarType.Float32);
        return (actual.to(ScalarType.Float32) - e).abs().max().item<float>() / Math.Max(1e-12f, e.abs().max().item<float>());
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1, 1e-5)]
    [InlineData(ScalarType.Float32, 4, 1e-5)]
    [InlineData(ScalarType.Float32, Rows, 1e-5)]
    [InlineData(ScalarType.BFloat16, 4, 2e-2)]
    public void Values_and_gradients_equal_the_unchunked_computation(ScalarType dtype, long chunkRows, double tolerance)
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets, a, c) = Inputs(dtype, seed: 3);
        var (refLp, refEnt) = Unchunked(hidden, weight, targets);
        (a * refLp + c * refEnt).sum().backward();
        var (refGh, refGw) = (hidden.grad!.clone(), weight.grad!.clone());
        hidden.grad!.zero_();
        weight.grad!.zero_();

        var (lp, ent) = ChunkedVocabFunction.Apply(hidden, weight, targets, chunkRows, withEntropy: true);
        Assert.True(lp.requires_grad && ent.requires_grad);
        (a * lp + c * ent).sum().backward();
        AutogradHandoff.Release();

        Assert.True(RelativeDiff(lp, refLp) < tolerance, $"log-probs differ by {RelativeDiff(lp, refLp)}");
        Assert.True(RelativeDiff(ent, refEnt) < tolerance, $"entropies differ by {RelativeDiff(ent, refEnt)}");
        Assert.True(RelativeDiff(hidden.grad!, refGh) < tolerance, $"hidden gradient differs by {RelativeDiff(hidden.grad!, refGh)}");
        Assert.True(RelativeDiff(weight.grad!, refGw) < tolerance, $"weight gradient differs by {RelativeDiff(weight.grad!, refGw)}");
        Assert.Equal(dtype, weight.grad!.dtype);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_output_the_loss_does_not_use_contributes_no_gradient(bool useLogProbs)
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets, a, _) = Inputs(ScalarType.Float32, seed: 4);
        var (refLp, refEnt) = Unchunked(hidden, weight, targets);
        (a * (useLogProbs ? refLp : refEnt)).sum().backward();
        var refGw = weight.grad!.clone();
        weight.grad!.zero_();

        var (lp, ent) = ChunkedVocabFunction.Apply(hidden, weight, targets, 3, withEntropy: true);
        (a * (useLogProbs ? lp : ent)).sum().backward();
        AutogradHandoff.Release();
        Assert.True(RelativeDiff(weight.grad!, refGw) < 1e-5);
    }

    [Fact]
    public void Without_entropy_the_entropies_are_zero_and_log_prob_gradients_unchanged()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets, a, _) = Inputs(ScalarType.Float32, seed: 5);
        var (refLp, _) = Unchunked(hidden, weight, targets);
        (a * refLp).sum().backward();
        var refGh = hidden.grad!.clone();
        hidden.grad!.zero_();

        var (lp, ent) = ChunkedVocabFunction.Apply(hidden, weight, targets, 5, withEntropy: false);
        Assert.Equal(0f, ent.abs().sum().item<float>());
        (a * lp).sum().backward();
        AutogradHandoff.Release();
        Assert.True(RelativeDiff(hidden.grad!, refGh) < 1e-5);
    }

    [Fact]
    public void A_frozen_weight_gets_no_gradient_and_the_hidden_states_still_do()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets, a, c) = Inputs(ScalarType.Float32, seed: 6);
        var frozen = weight.detach();
        var (lp, ent) = ChunkedVocabFunction.Apply(hidden, frozen, targets, 4, withEntropy: true);
        (a * lp + c * ent).sum().backward();
        AutogradHandoff.Release();
        Assert.Null(frozen.grad);
        Assert.True(hidden.grad!.abs().sum().item<float>() > 0);
    }
}
