using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hpt.Model.Sampling;
using Hpt.Model.Scoring;
using TorchSharp;
using static TorchSharp.torch;
using Hpt.Model;

namespace Hpt.Benchmarks;

/// <summary>Sizes for <see cref="ModelBenchmark"/>. Defaults: a d512 Qwen2-shaped model that a 2-core CPU runs in about a minute.</summary>
public sealed record ModelBenchmarkOptions
{
    public string Device { get; init; } = "cpu";
    public string DType { get; init; } = "fp32";
    public int DModel { get; init; } = 512;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 8;
    public int KvHeads { get; init; } = 2;
    public int Vocab { get; init; } = 4_096;
    /// <summary>Decode batch (the target is stated at 64).</summary>
    public int Batch { get; init; } = 64;
    public int PromptTokens { get; init; } = 16;
    public int NewTokens { get; init; } = 64;
    /// <summary>New tokens for the no-cache run (quadratic cost, so fewer).</summary>
    public int NoCacheNewTokens { get; init; } = 8;
    public int TrainBatch { get; init; } = 16;
    public int TrainSeq { get; init; } = 128;
    public int Repeats { get; init; } = 3;
    public int MatmulSize { get; init; } = 2_048;
}

/// <summary>Figures of one run; fractions are 0..1. <see cref="ToJson"/> is the benchmark's final line.</summary>
public sealed record ModelBenchmarkResult(
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("dtype")] string DType,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("d_model")] int DModel,
    [property: JsonPropertyName("layers")] int Layers,
    [property: JsonPropertyName("vocab")] int Vocab,
    [property: JsonPropertyName("params")] long Params,
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("matmul_peak_gflops")] double MatmulPeakGflops,
    [property: JsonPropertyName("decode_tokens_per_s")] double DecodeTokensPerSecond,
    [property: JsonPropertyName("decode_no_cache_tokens_per_s")] double DecodeNoCacheTokensPerSecond,
    [property: JsonPropertyName("forward_tokens_per_s")] double ForwardTokensPerSecond,
    [property: JsonPropertyName("decode_over_forward")] double DecodeOverForward,
    [property: JsonPropertyName("train_tokens_per_s")] double TrainTokensPerSecond,
    [property: JsonPropertyName("train_gflops")] double TrainGflops,
    [property: JsonPropertyName("train_mfu")] double TrainMfu)
{
    public string ToJson() => JsonSerializer.Serialize(this);
}

/// <summary>
/// <c>hpt bench model</c>: decode tokens/s with and without the KV cache, teacher-forced forward tokens/s (decode's
/// practical bound) and forward+backward MFU against a matmul peak measured in the same run, on the same device.
/// </summary>
public static class ModelBenchmark
{
    public static ModelBenchmarkResult Run(ModelBenchmarkOptions o, TextWriter log)
    {
        var options = new ModelOptions(o.Device, o.DType);
        var device = options.TorchDevice;
        var dtype = options.ScalarType;
        log.WriteLine($"device {o.Device}, dtype {o.DType}, torch threads {get_num_threads()}");

        var peak = MatmulPeakGflops(o.MatmulSize, device, dtype, o.Repeats);
        log.WriteLine($"matmul peak      {o.MatmulSize}^3 {o.DType}: {peak:F1} GFLOP/s");

        var config = new ModelConfig
        {
            ModelType = "qwen2", VocabSize = o.Vocab, HiddenSize = o.DModel, IntermediateSize = o.DModel * 4, NumHiddenLayers = o.Layers,
            NumAttentionHeads = o.Heads, NumKeyValueHeads = o.KvHeads, MaxPositionEmbeddings = 4_096,
        }.Validate();
        using var model = CausalLM.Create(config, options, seed: 1);
        var nonEmbedding = model.ParameterCount() - (long)o.Vocab * o.DModel; // lm_head counts, the embedding lookup does not
        log.WriteLine($"model            d_model {o.DModel}, {o.Layers} layers, {o.Heads}/{o.KvHeads} heads, vocab {o.Vocab}: {model.ParameterCount() / 1e6:F1}M params ({nonEmbedding / 1e6:F1}M non-embedding)");

        var rng = new Random(1);
        var prompts = Enumerable.Range(0, o.Batch).Select(_ => Enumerable.Range(0, o.PromptTokens).Select(_ => rng.Next(o.Vocab)).ToArray()).ToArray();
        var sampler = new Sampler(model);
        var sampling = new SamplingOptions { MaxNewTokens = o.NewTokens, Seed = 1 };

        sampler.Generate(prompts, sampling with { MaxNewTokens = 4 }); // warm-up
        var decodeSeconds = Best(o.Repeats, device, () => sampler.Generate(prompts, sampling));
        var decodeTps = o.Batch * o.NewTokens / decodeSeconds;
        log.WriteLine($"decode KV cache  batch {o.Batch}, prompt {o.PromptTokens}, {o.NewTokens} new: {decodeTps:F0} tokens/s ({decodeSeconds * 1000 / o.NewTokens:F1} ms/step incl. prefill)");

        var noCacheSeconds = Best(1, device, () => sampler.Generate(prompts, sampling with { MaxNewTokens = o.NoCacheNewTokens }, useKvCache: false));
        var noCacheTps = o.Batch * o.NoCacheNewTokens / noCacheSeconds;
        log.WriteLine($"decode no cache  batch {o.Batch}, prompt {o.PromptTokens}, {o.NoCacheNewTokens} new: {noCacheTps:F0} tokens/s");

        // Teacher-forced forward over the same sequences (prompt + response), as the scorer runs it without gradients.
        var responses = prompts.Select(_ => Enumerable.Range(0, o.NewTokens).Select(_ => rng.Next(o.Vocab)).ToArray()).ToArray();
        var scorer = new Scorer(model);
        scorer.Score(prompts, responses, withEntropy: false).Dispose();
        var forwardSeconds = Best(o.Repeats, device, () => scorer.Score(prompts, responses, withEntropy: false).Dispose());
        var forwardTps = o.Batch * (o.PromptTokens + o.NewTokens) / forwardSeconds;
        log.WriteLine($"forward (scorer) batch {o.Batch} x {o.PromptTokens + o.NewTokens} tokens: {forwardTps:F0} tokens/s");
        var decodeOverForward = decodeTps / forwardTps;
        log.WriteLine($"decode / forward {decodeOverForward:P0} (target >= 50%)");

        // Forward + backward of a plain next-token loss over all positions: FLOPs = 6 N tokens + 12 L d T tokens.
        var trainTokens = (long)o.TrainBatch * o.TrainSeq;
        using var ids = randint(o.Vocab, [o.TrainBatch, o.TrainSeq + 1], dtype: ScalarType.Int64, device: device);
        void TrainStep()
        {
            using var scope = NewDisposeScope();
            var input = ids.narrow(1, 0, o.TrainSeq);
            var target = ids.narrow(1, 1, o.TrainSeq);
            var logits = model.Logits(input).to(ScalarType.Float32);
            var loss = nn.functional.cross_entropy(logits.view(-1, o.Vocab), target.reshape(-1));
            loss.backward();
            model.zero_grad();
        }
        TrainStep();
        var trainSeconds = Best(o.Repeats, device, TrainStep);
        // The CPU may be shared: take the peak as the best of a measurement before and after the model runs, so a busy
        // moment during the first one cannot push the MFU above what the hardware allows.
        var peakAfter = MatmulPeakGflops(o.MatmulSize, device, dtype, o.Repeats);
        if (peakAfter > peak) log.WriteLine($"matmul peak      re-measured: {peakAfter:F1} GFLOP/s (used)");
        peak = Math.Max(peak, peakAfter);
        var flops = 6.0 * nonEmbedding * trainTokens + 12.0 * o.Layers * o.DModel * o.TrainSeq * trainTokens;
        var trainGflops = flops / trainSeconds / 1e9;
        var mfu = trainGflops / peak;
        log.WriteLine($"train fwd+bwd    batch {o.TrainBatch} x {o.TrainSeq}: {trainTokens / trainSeconds:F0} tokens/s, {trainGflops:F1} GFLOP/s, MFU {mfu:P0} (target >= 40%)");

        return new ModelBenchmarkResult(o.Device, o.DType, get_num_threads(), o.DModel, o.Layers, o.Vocab, model.ParameterCount(), o.Batch,
            Math.Round(peak, 1), Math.Round(decodeTps, 1), Math.Round(noCacheTps, 1), Math.Round(forwardTps, 1), Math.Round(decodeOverForward, 4),
            Math.Round(trainTokens / trainSeconds, 1), Math.Round(trainGflops, 1), Math.Round(mfu, 4));
    }

    /// <summary>Best-of-n GFLOP/s of an n x n x n matmul (2 n^3 FLOPs), the peak the MFU is measured against.</summary>
    public static double MatmulPeakGflops(int n, Device device, ScalarType dtype, int repeats)
    {
        using var scope = NewDisposeScope();
        var a = randn([n, n], dtype: dtype, device: device);
        var b = randn([n, n], dtype: dtype, device: device);
        a.matmul(b).Dispose();
        var seconds = Best(Math.Max(5, repeats), device, () => a.matmul(b).Dispose());
        return 2.0 * n * n * n / seconds / 1e9;
    }

    private static double Best(int repeats, Device device, Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < Math.Max(1, repeats); i++)
        {
            Sync(device);
            var sw = Stopwatch.StartNew();
            action();
            Sync(device);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static void Sync(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize();
    }
}
