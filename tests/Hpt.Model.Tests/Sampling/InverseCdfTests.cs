using Hpt.Model.Sampling;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Sampling;

public sealed class InverseCdfTests
{
    [Theory]
    [InlineData(0.1, false)]
    [InlineData(1.0, false)]
    [InlineData(4.0, false)]
    [InlineData(1.0, true)]
    [InlineData(8.0, true)]
    public void Two_level_search_picks_the_same_index_and_total_as_one_cumsum_over_the_row(double scale, bool zeros)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        const int rows = 64, n = 40 * InverseCdf.Block;
        var gen = new Generator(17);
        var probs = (randn(rows, n, generator: gen) * scale).softmax(-1);
        // Zero entries (top-p cuts them) must never be chosen, whichever level the draw lands in.
        if (zeros) probs = probs.masked_fill(rand(rows, n, generator: gen).lt(0.7), 0);
        var random = new Random(5);
        for (var round = 0; round < 20; round++)
        {
            // The extremes: u = 0 and the largest uniform a row stream gives (1 - 2^-24).
            var u = Enumerable.Range(0, rows).Select(r => r == 0 ? 0f : r == 1 ? 1f - 1f / (1 << 24) : random.Next(1 << 24) / (float)(1 << 24)).ToArray();
            var cdf = probs.cumsum(-1);
            var expectedTotal = cdf.narrow(-1, n - 1, 1);
            var expected = searchsorted(cdf, tensor(u, [rows, 1]) * expectedTotal, right: true).clamp_max(n - 1);
            var (index, total) = InverseCdf.Sample(probs, u);
            Assert.Equal(new long[] { rows, 1 }, index.shape);
            Assert.Equal(0, index.ne(expected).sum().item<long>());
            Assert.Equal(0, total.ne(expectedTotal).sum().item<long>());
            Assert.True(probs.gather(-1, index).gt(0).all().item<bool>(), "a zero-probability entry was chosen");
        }
    }

    [Fact]
    public void Rows_that_are_no_whole_number_of_blocks_use_the_one_level_search()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var probs = randn(3, 1000, generator: new Generator(2)).softmax(-1); // 1000 = 7.8 blocks
        var u = new[] { 0.25f, 0.5f, 0.999f };
        var cdf = probs.cumsum(-1);
        var expected = searchsorted(cdf, tensor(u, [3, 1]) * cdf.narrow(-1, 999, 1), right: true).clamp_max(999);
        var (index, _) = InverseCdf.Sample(probs, u);
        Assert.Equal(0, index.ne(expected).sum().item<long>());
    }
}
