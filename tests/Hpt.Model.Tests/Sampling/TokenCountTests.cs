using Hpt.Model.Sampling;
using Hpt.Model.Scoring;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Sampling;

/// <summary>
/// A model whose vocab_size pads past the tokenizer's ids (Qwen: 151936 rows for ~151.7k ids): the padding ids must be
/// masked in sampling and in scoring alike.
/// </summary>
public sealed class TokenCountTests
{
    private const int Vocab = 61, Tokens = 50;
    private static readonly int[][] Prompts = [[5, 9, 2, 11, 40, 3, 7], [17, 4], [8, 8, 30, 1]];

    /// <summary>Padding rows of the head get large weights, so without the mask they would win most draws.</summary>
    private static CausalLM PaddedModel(bool tied)
    {
        var m = CausalLM.Create(TestModels.TinyConfig(vocab: Vocab, tied: tied), new ModelOptions { TokenCount = Tokens }, seed: 4);
        using var _ = no_grad();
        var head = m.Weights().Single(w => w.Name == (tied ? "model.embed_tokens.weight" : "lm_head.weight")).Param;
        head.narrow(0, Tokens, Vocab - Tokens).mul_(400);
        return m;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sampler_never_draws_an_id_past_the_tokenizer_even_where_the_padding_rows_dominate(bool tied)
    {
        using var m = PaddedModel(tied);
        using (no_grad())
        using (NewDisposeScope())
        {
            var logits = m.LmHead(m.Forward(tensor(new long[] { 5, 9, 2 }, [1, 3])));
            Assert.Equal(Tokens, logits.shape[^1]);
        }
        var samples = new Sampler(m).Generate(Prompts, new SamplingOptions { MaxNewTokens = 40, Seed = 3 });
        Assert.All(samples.SelectMany(s => s.TokenIds), id => Assert.InRange(id, 0, Tokens - 1));
        var greedy = new Sampler(m).Generate(Prompts, new SamplingOptions { MaxNewTokens = 10, Temperature = 0 });
        Assert.All(greedy.SelectMany(s => s.TokenIds), id => Assert.InRange(id, 0, Tokens - 1));
    }

    [Fact]
    public void Scorer_normalises_over_the_same_ids_as_the_sampler_so_the_ratio_stays_one()
    {
        using var m = PaddedModel(tied: false);
        var samples = new Sampler(m).Generate(Prompts, new SamplingOptions { MaxNewTokens = 12, Seed = 8 });
        using var score = new Scorer(m).Score(Prompts, samples.Select(s => s.TokenIds).ToArray());
        using var lp = score.LogProbs.cpu();
        var host = lp.data<float>().ToArray();
        var t = (int)lp.shape[1];
        for (var r = 0; r < Prompts.Length; r++)
            for (var i = 0; i < samples[r].LogProbs.Length; i++)
                Assert.True(Math.Abs(host[r * t + i] - samples[r].LogProbs[i]) < 1e-4, $"row {r} token {i}: scored {host[r * t + i]} vs sampled {samples[r].LogProbs[i]}");
        // And the scored distribution sums to one over the tokenizer's ids: the padding rows take no mass.
        using (no_grad())
        using (NewDisposeScope())
        {
            var logits = m.LmHead(m.Forward(tensor(new long[] { 5, 9, 2 }, [1, 3]))).log_softmax(-1).exp().sum(-1);
            Assert.True(TestModels.MaxAbsDiff(logits, ones_like(logits)) < 1e-5);
        }
        var bad = Assert.Throws<ArgumentException>(() => new Scorer(m).Score([[1, 2]], [[Tokens]]));
        Assert.Contains("tokenizer", bad.Message);
    }

    [Fact]
    public void A_token_count_above_vocab_size_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => CausalLM.Create(TestModels.TinyConfig(vocab: Vocab), new ModelOptions { TokenCount = Vocab + 1 }));
        Assert.Contains("vocab_size", e.Message);
    }
}
