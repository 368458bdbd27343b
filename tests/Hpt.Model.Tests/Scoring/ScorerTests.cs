using Hpt.Model.Sampling;
using Hpt.Model.Scoring;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Scoring;

public sealed class ScorerTests
{
    private static readonly int[][] Prompts = [[5, 9, 2, 11, 40, 3, 7], [17, 4], [8, 8, 30, 1]];

    private static float[] Row(Tensor t, int r)
    {
        using var row = t.select(0, r).detach().cpu();
        return row.data<float>().ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Scores_equal_the_samplers_log_probs_at_temperature_one(bool tied)
    {
        using var m = TestModels.Tiny(seed: 8, tied: tied);
        var samples = new Sampler(m).Generate(Prompts, new SamplingOptions { MaxNewTokens = 11, Seed = 2 });
        var responses = samples.Select(s => s.TokenIds).ToArray();
        using var score = new Scorer(m).Score(Prompts, responses);
        Assert.Equal([Prompts.Length, 11L], score.LogProbs.shape);
        for (var r = 0; r < Prompts.Length; r++)
        {
            var lp = Row(score.LogProbs, r);
            for (var t = 0; t < samples[r].LogProbs.Length; t++)
                Assert.True(Math.Abs(lp[t] - samples[r].LogProbs[t]) < 1e-4, $"row {r} token {t}: scored {lp[t]} vs sampled {samples[r].LogProbs[t]} (ratio must be 1 at staleness 0)");
        }
    }

    [Fact]
    public void Chunking_does_not_change_the_result_and_padding_is_masked()
    {
        using var m = TestModels.Tiny(seed: 9);
        int[][] responses = [[1, 2, 3, 4, 5, 6], [7], [9, 10, 11]];
        using var whole = new Scorer(m).Score(Prompts, responses);
        using var chunked = new Scorer(m) { MaxLogitsPerChunk = 1 }.Score(Prompts, responses);
        Assert.True(TestModels.MaxAbsDiff(whole.LogProbs, chunked.LogProbs) < 1e-5);
        Assert.True(TestModels.MaxAbsDiff(whole.Entropies, chunked.Entropies) < 1e-5);
        Assert.Equal([1f, 0, 0, 0, 0, 0], Row(whole.Mask, 1));
        Assert.Equal([0f, 0, 0, 0, 0], Row(whole.LogProbs, 1)[1..]);
        var ent = Row(whole.Entropies, 0);
        Assert.All(ent, h => Assert.InRange(h, 0.0, Math.Log(61) + 1e-4)); // between 0 and log V
    }

    [Fact]
    public void Scores_match_a_plain_log_softmax_of_the_full_logits()
    {
        using var m = TestModels.Tiny(seed: 10);
        int[] prompt = [3, 4, 5], response = [6, 7, 8, 9];
        using var score = new Scorer(m).Score([prompt], [response]);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logp = m.Logits(tensor(prompt.Concat(response).Select(x => (long)x).ToArray(), [1, 7])).log_softmax(-1);
        var lp = Row(score.LogProbs, 0);
        var ent = Row(score.Entropies, 0);
        for (var t = 0; t < response.Length; t++)
        {
            var dist = logp[0, prompt.Length - 1 + t];
            Assert.Equal(dist[response[t]].item<float>(), lp[t], 1e-5f);
            Assert.Equal(-(dist.exp() * dist).sum().item<float>(), ent[t], 1e-4f);
        }
    }

    [Fact]
    public void Gradients_flow_through_scores_when_asked_and_not_otherwise()
    {
        using var m = TestModels.Tiny(seed: 11);
        int[][] responses = [[1, 2, 3], [4, 5], [6]];
        using (var noGrad = new Scorer(m).Score(Prompts, responses))
            Assert.False(noGrad.LogProbs.requires_grad);

        using var scope = NewDisposeScope();
        var score = new Scorer(m).Score(Prompts, responses, withGrad: true);
        Assert.True(score.LogProbs.requires_grad);
        var loss = -(score.LogProbs.sum() + 0.01 * score.Entropies.sum()) / score.Mask.sum();
        loss.backward();
        var q = m.Weights().First(w => w.Name == "model.layers.0.self_attn.q_proj.weight").Param;
        Assert.NotNull(q.grad);
        Assert.True(q.grad!.abs().sum().item<float>() > 0);
        m.zero_grad();
    }

    /// <summary>Gradients of every parameter for a loss on log-probs and entropies (the learner's shape of loss).</summary>
    private static Dictionary<string, Tensor> Gradients(CausalLM m, Scorer scorer, int[][] responses)
    {
        m.zero_grad();
        using (var scope = NewDisposeScope())
        {
            var score = scorer.Score(Prompts, responses, withGrad: true);
            var weights = arange(1, score.LogProbs.shape[1] + 1, ScalarType.Float32) / 7.0; // distinct per position
            (-(score.LogProbs * weights).sum() - 0.3 * (score.Entropies * weights).sum()).backward();
        }
        AutogradHandoff.Release();
        var grads = m.Weights().ToDictionary(w => w.Name, w => w.Param.grad!.detach().clone().to(ScalarType.Float32).DetachFromDisposeScope());
        m.zero_grad();
        return grads;
    }

    [Theory]
    [InlineData("fp32", false, 1e-5, null)]
    [InlineData("fp32", true, 1e-5, null)]
    [InlineData("fp32", true, 1e-5, 50)]
    [InlineData("fp32", false, 1e-5, 50)]
    [InlineData("bf16", false, 3e-2, null)]
    public void Recomputed_vocabulary_backward_gives_the_gradients_of_the_graph_keeping_scorer(string dtype, bool tied, double tolerance, int? tokenCount)
    {
        using var m = CausalLM.Create(TestModels.TinyConfig(tied: tied), new ModelOptions("cpu", dtype) { TokenCount = tokenCount }, seed: 12);
        int[][] responses = [[1, 2, 3, 4, 5, 6], [7], [9, 10, 11]];
        var expected = Gradients(m, new Scorer(m) { VocabBackward = VocabBackward.KeepGraph }, responses);
        var actual = Gradients(m, new Scorer(m) { MaxLogitsPerChunk = 2 * 61 }, responses); // 2 rows per chunk
        try
        {
            foreach (var (name, e) in expected)
            {
                var scale = e.abs().max().item<float>();
                var diff = (actual[name] - e).abs().max().item<float>();
                Assert.True(scale > 0, $"{name}: no gradient at all");
                Assert.True(diff <= tolerance * scale, $"{name}: max |diff| {diff} vs max |grad| {scale}");
            }
        }
        finally
        {
            foreach (var t in expected.Values.Concat(actual.Values)) t.Dispose();
        }
    }
}
