using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hpt.Model.Memory;
using Hpt.Model.Precision;
using Hpt.Model.Scoring;
using TorchSharp;
using static TorchSharp.torch;
using Hpt.Model;

namespace Hpt.Benchmarks;

/// <summary>The model and step of one <see cref="MemoryBenchmark"/> case. Defaults: a small-width model with Qwen's vocabulary.</summary>
public sealed record MemoryCaseOptions
{
    public string DType { get; init; } = "fp32";
    public int DModel { get; init; } = 128;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 2;
    public int Vocab { get; init; } = 151_936;
    public int Batch { get; init; } = 2;
    public int PromptTokens { get; init; } = 16;
    public int ResponseTokens { get; init; } = 512;
    public bool Checkpointing { get; init; }
    public VocabBackward Scorer { get; init; } = VocabBackward.Recompute;

    public ModelConfig Config() => new ModelConfig
    {
        ModelType = "qwen2", VocabSize = Vocab, HiddenSize = DModel, IntermediateSize = DModel * 4, NumHiddenLayers = Layers,
        NumAttentionHeads = Heads, NumKeyValueHeads = KvHeads, MaxPositionEmbeddings = PromptTokens + ResponseTokens + 1,
    }.Validate();

    public ScalarType ScalarType => ModelOptions.ParseDType(DType);
}

/// <summary>One measured training step. Bytes are the process's resident set (Linux VmRSS / VmHWM).</summary>
public sealed record MemoryCaseResult(
    [property: JsonPropertyName("response_tokens")] int ResponseTokens,
    [property: JsonPropertyName("tokens")] long Tokens,
    [property: JsonPropertyName("checkpointing")] bool Checkpointing,
    [property: JsonPropertyName("scorer")] string Scorer,
    [property: JsonPropertyName("baseline_bytes")] long BaselineBytes,
    [property: JsonPropertyName("peak_bytes")] long PeakBytes,
    [property: JsonPropertyName("step_seconds")] double StepSeconds)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static MemoryCaseResult FromJson(string json) =>
        JsonSerializer.Deserialize<MemoryCaseResult>(json) ?? throw new FormatException("empty memory-benchmark case result");
}

/// <summary>
/// <c>hpt bench memory</c>'s measurement, one case per process (the caller starts a fresh process for each, so one
/// case's high-water mark cannot hide in another's). A case builds the model and fp32-master AdamW, runs one warm-up
/// step on a short batch (so gradients and optimizer state exist), resets the kernel's RSS high-water mark, then runs
/// the measured step: score with gradients, the learner's shape of loss (log-probs and entropy), backward, AdamW.
/// </summary>
public static class MemoryBenchmark
{
    public static MemoryCaseResult RunCase(MemoryCaseOptions o)
    {
        var config = o.Config();
        using var model = CausalLM.Create(config, new ModelOptions("cpu", o.DType), seed: 1);
        model.ActivationCheckpointing = o.Checkpointing;
        using var optimizer = new MixedPrecisionAdamW(model.Weights(), 1e-4, 0.9, 0.999, 0.01);
        var scorer = new Scorer(model) { VocabBackward = o.Scorer };
        var rng = new Random(1);
        int[][] Rows(int length) => Enumerable.Range(0, o.Batch).Select(_ => Enumerable.Range(0, length).Select(_ => rng.Next(o.Vocab)).ToArray()).ToArray();
        var prompts = Rows(o.PromptTokens);

        Step(model, scorer, optimizer, prompts, Rows(8));
        var responses = Rows(o.ResponseTokens);
        GC.Collect();
        ProcessMemory.ResetPeak();
        var baseline = ProcessMemory.ResidentBytes();
        var clock = Stopwatch.StartNew();
        Step(model, scorer, optimizer, prompts, responses);
        var seconds = clock.Elapsed.TotalSeconds;
        return new MemoryCaseResult(o.ResponseTokens, (long)o.Batch * (o.PromptTokens + o.ResponseTokens), o.Checkpointing,
            ScorerName(o.Scorer), baseline, ProcessMemory.PeakResidentBytes(), Math.Round(seconds, 3));
    }

    public static string ScorerName(VocabBackward scorer) => scorer == VocabBackward.Recompute ? "recompute" : "keep-graph";

    private static void Step(CausalLM model, Scorer scorer, MixedPrecisionAdamW optimizer, int[][] prompts, int[][] responses)
    {
        using (var scope = NewDisposeScope())
        {
            var score = scorer.Score(prompts, responses, withGrad: true);
            var loss = -(score.LogProbs.sum() + 0.001 * score.Entropies.sum()) / score.Mask.sum();
            loss.backward();
        }
        AutogradHandoff.Release();
        optimizer.AccumulateGradients();
        nn.utils.clip_grad_norm_(optimizer.Parameters, 1.0);
        optimizer.Step();
        optimizer.ZeroGrad();
    }

    /// <summary>Slope of peak bytes against tokens between the two longest cases of one configuration.</summary>
    public static double PeakBytesPerToken(IReadOnlyList<MemoryCaseResult> cases)
    {
        if (cases.Count < 2) return double.NaN;
        var sorted = cases.OrderBy(c => c.Tokens).ToArray();
        var (a, b) = (sorted[^2], sorted[^1]);
        return (double)(b.PeakBytes - a.PeakBytes) / (b.Tokens - a.Tokens);
    }
}

/// <summary>Peak-memory slope of one configuration (scorer x checkpointing) over its lengths.</summary>
public sealed record MemorySeries(
    [property: JsonPropertyName("scorer")] string Scorer,
    [property: JsonPropertyName("checkpointing")] bool Checkpointing,
    [property: JsonPropertyName("response_tokens")] int[] ResponseTokens,
    [property: JsonPropertyName("peak_bytes")] long[] PeakBytes,
    [property: JsonPropertyName("step_seconds")] double[] StepSeconds,
    [property: JsonPropertyName("peak_bytes_per_token")] double PeakBytesPerToken,
    [property: JsonPropertyName("activation_bytes_per_token")] long ActivationBytesPerToken,
    [property: JsonPropertyName("slope_over_activation")] double SlopeOverActivation);

/// <summary><c>hpt bench memory</c>'s final JSON line.</summary>
public sealed record MemoryBenchmarkReport(
    [property: JsonPropertyName("vocab")] int Vocab,
    [property: JsonPropertyName("d_model")] int DModel,
    [property: JsonPropertyName("layers")] int Layers,
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("dtype")] string DType,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("load_average_before")] double LoadBefore,
    [property: JsonPropertyName("load_average_after")] double LoadAfter,
    [property: JsonPropertyName("series")] MemorySeries[] Series,
    [property: JsonPropertyName("checkpointing_step_time_ratio")] double CheckpointingStepTimeRatio,
    [property: JsonPropertyName("ratio_at_response_tokens")] int RatioAt)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Groups case results into series and takes the step-time ratio (on / off, recompute scorer) at the longest shared length.</summary>
    public static MemoryBenchmarkReport Build(MemoryCaseOptions model, IReadOnlyList<MemoryCaseResult> cases, int threads, double loadBefore, double loadAfter)
    {
        var config = model.Config();
        var series = cases.GroupBy(c => (c.Scorer, c.Checkpointing)).Select(g =>
        {
            var sorted = g.OrderBy(c => c.Tokens).ToArray();
            var slope = MemoryBenchmark.PeakBytesPerToken(sorted);
            var activation = ActivationMemory.BytesPerToken(config, model.ScalarType, g.Key.Checkpointing);
            return new MemorySeries(g.Key.Scorer, g.Key.Checkpointing, sorted.Select(c => c.ResponseTokens).ToArray(),
                sorted.Select(c => c.PeakBytes).ToArray(), sorted.Select(c => c.StepSeconds).ToArray(), Math.Round(slope, 1),
                activation, Math.Round(slope / activation, 3));
        }).ToArray();
        var recompute = MemoryBenchmark.ScorerName(VocabBackward.Recompute);
        var off = cases.Where(c => c.Scorer == recompute && !c.Checkpointing).ToDictionary(c => c.ResponseTokens);
        var on = cases.Where(c => c.Scorer == recompute && c.Checkpointing).ToDictionary(c => c.ResponseTokens);
        var at = off.Keys.Intersect(on.Keys).DefaultIfEmpty(0).Max();
        var ratio = at > 0 ? Math.Round(on[at].StepSeconds / off[at].StepSeconds, 3) : double.NaN;
        return new MemoryBenchmarkReport(model.Vocab, model.DModel, model.Layers, model.Batch, model.PromptTokens, model.DType, threads,
            loadBefore, loadAfter, series, ratio, at);
    }
}
