using Hpt.Model.Sampling;
using Hpt.Model.Weights;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Sampling;

public sealed class DecodeHeadTests
{
    [Theory]
    [InlineData(false, DecodeHead.DefaultChunkColumns)]
    [InlineData(true, DecodeHead.DefaultChunkColumns)]
    [InlineData(false, 16)] // the vocabulary of 61 in 4 blocks, the last one of 13 columns
    public void Decode_head_logits_equal_the_lm_head_and_follow_the_weights_after_a_refresh(bool tied, int chunkColumns)
    {
        using var m = TestModels.Tiny(seed: 12, tied: tied);
        using var other = TestModels.Tiny(seed: 13, tied: tied);
        using var head = new DecodeHead(m, chunkColumns);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // 1 row takes a matrix-vector kernel, more rows a matrix product.
        var hidden = new[] { 1, 5, 12 }.Select(rows => randn(rows, m.Config.HiddenSize, generator: new Generator((ulong)rows))).ToArray();
        foreach (var h in hidden) Assert.True(TestModels.MaxAbsDiff(m.LmHead(h), head.Logits(h)) < 1e-5f);
        Assert.Equal(m.LmHeadMatrix().numel() * 4, head.Bytes); // the copy exists (CPU) and is the matrix's size

        PolicyWeights.CopyInto(other, m);
        Assert.True(TestModels.MaxAbsDiff(other.LmHead(hidden[2]), head.Logits(hidden[2])) > 1e-3f, "without a refresh the copy is the old weights");
        head.Refresh();
        foreach (var h in hidden) Assert.True(TestModels.MaxAbsDiff(other.LmHead(h), head.Logits(h)) < 1e-5f);
    }
}
