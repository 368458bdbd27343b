using Hpt.Model.Checkpoints;
using Hpt.Model.Sampling;

namespace Hpt.Actors.Settings;

/// <summary>
/// `hpt.rollout`: the rollout workers and how they sample. temperature, top-p and top-k may be "auto": the model
/// folder's generation_config.json value when it samples (do_sample true), else plain sampling (1, 1, 0).
/// </summary>
public sealed record RolloutSettings(IReadOnlyList<string> Devices, double Temperature, double TopP, int TopK, int MaxNewTokens)
{
    /// <summary>The settings hocon/ gives with nothing overridden (no model folder: plain sampling 1, 1, 0).</summary>
    public static RolloutSettings Default => Create(HptConfig.Reference);

    /// <summary>The keys whose value came from generation_config.json (for the start-up line).</summary>
    public IReadOnlyList<string> FromGenerationConfig { get; init; } = [];

    /// <summary>hpt.rollout.batching: continuous (several prompts in one decode batch) or group (one prompt at a time).</summary>
    public required RolloutBatching Batching { get; init; }

    /// <summary>hpt.rollout.max-sequences: sequences in flight per worker (continuous batching).</summary>
    public required int MaxSequences { get; init; }

    /// <summary>hpt.rollout.max-prompt-tokens: longest prompt a slot holds; longer ones are generated alone.</summary>
    public required int MaxPromptTokens { get; init; }

    /// <summary>hpt.rollout.prefill-chunk-tokens: prompt tokens prefilled between two decode steps.</summary>
    public required int PrefillChunkTokens { get; init; }

    /// <summary>hpt.rollout.kv-after-update: keep or recompute a running sequence's KV cache when the weights change.</summary>
    public required KvAfterUpdate KvAfterUpdate { get; init; }

    /// <summary>hpt.rollout.cpu-kernel: on the CPU in fp32, decode with the project's kernel (see ContinuousOptions.CpuKernel).</summary>
    public bool CpuKernel { get; init; } = true;

    public static RolloutSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.rollout");
        var devices = r.StringList("devices");
        if (devices.Count == 0) throw new SettingsException(r.Key("devices"), "needs at least one device");
        var path = new SettingsReader(root, "hpt.model").String("path");
        var generation = path.Length > 0 && Directory.Exists(path) ? GenerationConfig.Load(path) : GenerationConfig.None;
        var fromFile = new List<string>();

        double Auto(string key, double? fromConfig, double fallback, double max)
        {
            if (r.String(key) != "auto") return r.Double(key, min: 0, max: max);
            if (fromConfig is not { } v) return fallback;
            if (v < 0 || v > max) throw new SettingsException(r.Key(key), $"generation_config.json gives {v}, outside [0, {max}]");
            fromFile.Add(key);
            return v;
        }

        var temperature = Auto("temperature", generation.Temperature, 1.0, double.PositiveInfinity);
        var topP = Auto("top-p", generation.TopP, 1.0, 1);
        var topK = (int)Auto("top-k", generation.TopK, 0, int.MaxValue);
        // 0 keeps no token at all: the sampler refuses it, so it must never reach a worker (a crash loop otherwise).
        if (topP <= 0) throw new SettingsException(r.Key("top-p"), $"{topP} must be in (0, 1] (1 = off)");
        if (devices.FirstOrDefault(d => d.Trim().Length == 0) is not null) throw new SettingsException(r.Key("devices"), "has an empty entry");
        return new RolloutSettings(devices, temperature, topP, topK, r.Int("max-new-tokens", min: 1))
        {
            FromGenerationConfig = fromFile,
            Batching = r.Enum<RolloutBatching>("batching"),
            MaxSequences = r.Int("max-sequences", min: 1),
            MaxPromptTokens = r.Int("max-prompt-tokens", min: 1),
            PrefillChunkTokens = r.Int("prefill-chunk-tokens", min: 1),
            KvAfterUpdate = r.Enum<KvAfterUpdate>("kv-after-update"),
            CpuKernel = r.Bool("cpu-kernel"),
        };
    }

    /// <summary>"temperature 0.7, top-p 0.8, top-k 20 (from generation_config.json: ...)"; for the start-up line.</summary>
    public string DescribeSampling() =>
        $"temperature {Temperature}, top-p {TopP}, top-k {TopK}" +
        (FromGenerationConfig.Count > 0 ? $" ({string.Join(", ", FromGenerationConfig)} from the model's generation_config.json)" : "");

    /// <summary>"continuous batching, 32 sequences per worker, CPU decode kernel on"; for the start-up line.</summary>
    public string DescribeBatching() => Batching == RolloutBatching.Group
        ? "group batching (one prompt at a time)"
        : $"continuous batching, {MaxSequences} sequences per worker, CPU decode kernel " +
          (!CpuKernel ? "off (rollout.cpu-kernel)" : Hpt.Model.Kernels.FewRowLinear.Available ? "on (fp32 CPU workers)" : "unavailable on this machine (libtorch's GEMM)");

    /// <summary>The continuous generator's sizes for these settings and <paramref name="sampling"/>.</summary>
    public ContinuousOptions Continuous(SamplingOptions sampling) => new()
    {
        MaxSequences = MaxSequences,
        MaxPromptTokens = MaxPromptTokens,
        PrefillChunkTokens = PrefillChunkTokens,
        KvAfterUpdate = KvAfterUpdate,
        Sampling = sampling,
        CpuKernel = CpuKernel,
    };
}

/// <summary>How a rollout worker batches generation.</summary>
public enum RolloutBatching
{
    /// <summary>
    /// Up to max-sequences samples of several prompts decode together; a finished one frees its slot for a waiting
    /// prompt, and weight updates apply between two decode steps. Which rows share a matmul changes, so samples are
    /// reproducible only up to float rounding.
    /// </summary>
    Continuous,

    /// <summary>
    /// One prompt at a time, its n samples as one batch, weight updates between prompts: batch-invariant, so a run is
    /// bitwise reproducible (the kill-and-resume guarantee).
    /// </summary>
    Group,
}
