using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Tests;

/// <summary>
/// Proves the native libraries load on this host (the GLIBCXX weak-flag fix) by taking one real training step.
/// </summary>
public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void One_adamw_step_on_a_matmul_lowers_the_loss()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(7, CPU);
        var w = new TorchSharp.Modules.Parameter(randn(new long[] { 16, 16 }, generator: gen));
        var x = randn(new long[] { 32, 16 }, generator: gen);
        var target = randn(new long[] { 32, 16 }, generator: gen);
        var opt = optim.AdamW(new[] { w }, lr: 0.05);

        float Loss() { using var _ = no_grad(); return nn.functional.mse_loss(x.matmul(w), target).item<float>(); }

        var before = Loss();
        var loss = nn.functional.mse_loss(x.matmul(w), target);
        loss.backward();
        Assert.NotNull(w.grad);
        Assert.True(w.grad!.abs().sum().item<float>() > 0);
        opt.step();
        Assert.True(Loss() < before);
    }
}
