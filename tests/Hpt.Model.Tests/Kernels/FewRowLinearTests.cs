using Hpt.Model.Kernels;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Hpt.Model.Tests.Kernels;

public sealed class FewRowLinearTests
{
    private static Tensor Random(long seed, params long[] shape) => randn(shape, generator: new TorchSharp.torch.Generator((ulong)seed));

    [Theory]
    [InlineData(1, 64, 32)]
    [InlineData(3, 130, 64)]   // a row tail and a weight-row tail (130 = 4 * 32 + 2)
    [InlineData(17, 2048, 512)] // enough work for both threads
    [InlineData(64, 96, 128)]
    public void Products_equal_libtorch_linear_within_float_rounding(int rows, int outputs, int inputs)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = Random(1, rows, inputs);
        var w = Random(2, outputs, inputs);
        var b = Random(3, outputs);
        using var inline = LibtorchThreads.Inline();
        Assert.True(FewRowLinear.Applies(x, w));
        var got = FewRowLinear.Compute(x, w, b);
        var expected = F.linear(x, w, b);
        Assert.Equal(expected.shape, got.shape);
        // Sums of `inputs` products of unit normals: rounding differs by a few ulps of |sum| ~ sqrt(inputs).
        Assert.True((got - expected).abs().max().item<float>() < 1e-4f * MathF.Sqrt(inputs));
    }

    [Fact]
    public void A_row_gets_the_same_bits_alone_in_any_batch_and_with_any_thread_count()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = Random(4, 1000, 256);
        var batch = Random(5, 37, 256);
        using var inline = LibtorchThreads.Inline();
        var all = FewRowLinear.Compute(batch, w);
        for (var r = 0; r < 37; r += 6)
        {
            var alone = FewRowLinear.Compute(batch.narrow(0, r, 1), w);
            Assert.Equal(TestModels.Bytes(all.narrow(0, r, 1)), TestModels.Bytes(alone));
            var inFour = FewRowLinear.Compute(batch.narrow(0, Math.Min(r, 33), 4), w);
            Assert.Equal(TestModels.Bytes(all.narrow(0, Math.Min(r, 33), 4)), TestModels.Bytes(inFour));
        }
        using (LibtorchThreads.Inline(kernelThreads: 1))
            Assert.Equal(TestModels.Bytes(all), TestModels.Bytes(FewRowLinear.Compute(batch, w)));
    }

    [Fact]
    public void The_kernel_takes_only_what_it_can_compute()
    {
        using var scope = NewDisposeScope();
        var w = Random(6, 32, 64);
        using (no_grad())
            Assert.False(FewRowLinear.Applies(Random(7, 2, 64), w)); // no inline scope: libtorch's workers may be spinning
        using var inline = LibtorchThreads.Inline();
        using (no_grad())
        {
            Assert.True(FewRowLinear.Applies(Random(7, 2, 64), w));
            Assert.True(FewRowLinear.Applies(Random(7, 4, 16, 64), w)); // rows = 64 in any shape
            Assert.False(FewRowLinear.Applies(Random(8, FewRowLinear.MaxRows + 1, 64), w));
            Assert.False(FewRowLinear.Applies(Random(9, 2, 60), Random(10, 32, 60))); // k not a multiple of 8
            Assert.False(FewRowLinear.Applies(Random(7, 2, 64).to(ScalarType.BFloat16), w.to(ScalarType.BFloat16)));
        }
        // Under autograd with a parameter that needs a gradient, the result must carry a graph: libtorch's operator.
        var p = Random(11, 32, 64).requires_grad_();
        Assert.False(FewRowLinear.Applies(Random(7, 2, 64), p));
    }

    [Fact]
    public void Forward_falls_back_to_the_layer_outside_an_inline_scope()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var layer = nn.Linear(64, 24, hasBias: true);
        var x = Random(12, 5, 64);
        var outside = FewRowLinear.Forward(layer, x);
        Assert.Equal(TestModels.Bytes(layer.forward(x)), TestModels.Bytes(outside));
        using var inline = LibtorchThreads.Inline();
        Assert.True((FewRowLinear.Forward(layer, x) - outside).abs().max().item<float>() < 1e-4f);
    }
}
