using TorchSharp;
using TorchSharp.Modules;
using Hpt.Model.Checkpoints;
using Hpt.Model.Kernels;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Hpt.Model;

/// <summary>
/// A Qwen2 / Qwen3 / Llama causal language model (Hugging Face "ForCausalLM" layout: <c>model.*</c> plus <c>lm_head</c>, the
/// latter absent when embeddings are tied). The owner disposes it.
/// </summary>
public sealed class CausalLM : nn.Module
{
    private readonly DecoderStack model;
    private readonly Linear? lm_head;
    private readonly RotaryEmbedding rotary;

    public ModelConfig Config { get; }
    public ModelOptions Options { get; }
    public Device Device { get; }
    public ScalarType DType { get; }
    /// <summary>Width of <see cref="LmHead"/>'s logits: the ids the tokenizer can produce (see <see cref="ModelOptions.TokenCount"/>).</summary>
    public int OutputVocab { get; }

    private CausalLM(ModelConfig config, ModelOptions options) : base("CausalLM")
    {
        Config = config.Validate();
        Options = options;
        Device = options.TorchDevice;
        DType = options.ScalarType;
        OutputVocab = options.TokenCount ?? config.VocabSize;
        if (OutputVocab <= 0 || OutputVocab > config.VocabSize)
            throw new ArgumentException($"model: the tokenizer's {OutputVocab} ids do not fit the config's vocab_size {config.VocabSize}");
        model = new DecoderStack(config, Device, DType);
        if (!config.TieWordEmbeddings) lm_head = nn.Linear(config.HiddenSize, config.VocabSize, false, Device, DType);
        rotary = new RotaryEmbedding(config, Device);
        RegisterComponents();
    }

    /// <summary>
    /// A freshly initialised model (Hugging Face init: normal(0, 0.02) weights, zero biases, unit norms). The random numbers
    /// come from a CPU generator seeded with <paramref name="seed"/>, so the same seed gives the same weights on any device.
    /// </summary>
    public static CausalLM Create(ModelConfig config, ModelOptions? options = null, long seed = 0)
    {
        var m = new CausalLM(config, options ?? ModelOptions.Cpu);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var gen = new Generator((ulong)seed, CPU);
        foreach (var (name, p) in m.named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) continue; // already ones
            if (name.EndsWith(".bias", StringComparison.Ordinal)) { p.zero_(); continue; }
            var init = empty(p.shape, ScalarType.Float32, CPU).normal_(0, 0.02, generator: gen);
            p.copy_(init);
        }
        return m;
    }

    /// <summary>Loads a Hugging Face folder (config.json plus model.safetensors or a sharded index), converting to the options' dtype.</summary>
    public static CausalLM FromPretrained(string folder, ModelOptions? options = null)
    {
        var m = new CausalLM(ModelConfig.Load(folder), options ?? ModelOptions.Cpu);
        try { SafetensorsCheckpoint.LoadInto(m, folder); }
        catch { m.Dispose(); throw; }
        return m;
    }

    /// <summary>Writes config.json and the weights (one file, or shards above <paramref name="maxShardBytes"/>) in Hugging Face layout.</summary>
    public void SavePretrained(string folder, string? diskDType = null, long maxShardBytes = long.MaxValue)
    {
        Directory.CreateDirectory(folder);
        Config.Save(Path.Combine(folder, "config.json"));
        SafetensorsCheckpoint.Save(this, folder, diskDType is null ? null : ModelOptions.ParseDType(diskDType), maxShardBytes);
    }

    /// <summary>Parameters under their Hugging Face names, in module order.</summary>
    public IReadOnlyList<(string Name, Parameter Param)> Weights() => named_parameters().Select(p => (p.name, p.parameter)).ToList();

    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>
    /// Recompute each decoder layer's activations in backward instead of keeping them (forwards with gradients and no
    /// cache only): a training step then keeps one (B, T, d) input per layer, at the cost of a second forward.
    /// </summary>
    public bool ActivationCheckpointing
    {
        get => model.ActivationCheckpointing;
        set => model.ActivationCheckpointing = value;
    }

    /// <summary>
    /// Final-normed hidden states (B, T, d_model).
    /// </summary>
    /// <param name="inputIds">(B, T) int64 on <see cref="Device"/>.</param>
    /// <param name="positions">(B, T) int64 rotary positions; null means 0..T-1 offset by the cache length.</param>
    /// <param name="mask">bool (B, 1, T, Tk), true = attend; null means causal (no cache) or attend-all (one decode step).</param>
    /// <param name="cache">written at its current length; the caller advances it after the call.</param>
    public Tensor Forward(Tensor inputIds, Tensor? positions = null, Tensor? mask = null, KvCache? cache = null)
    {
        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        var offset = cache?.Length ?? 0;
        positions ??= arange(offset, offset + t, ScalarType.Int64, Device).unsqueeze(0).expand(b, t);
        var (cos, sin) = rotary.CosSin(positions, DType);
        if (mask is null && cache is not null && offset > 0 && t > 1)
            throw new ArgumentException("a multi-token forward on a non-empty cache needs an explicit mask");
        return model.Forward(inputIds, cos, sin, mask, causal: mask is null && t > 1, cache);
    }

    /// <summary>
    /// Final-normed hidden states (B, T, d_model) of a forward through a caller-managed cache (continuous batching):
    /// positions and the mask are always explicit, because the cache's rows have lengths of their own.
    /// </summary>
    /// <param name="positions">(B, T) int64 rotary positions.</param>
    /// <param name="mask">bool (B, 1, T, Tk) over the keys the cache returns, true = attend.</param>
    public Tensor Forward(Tensor inputIds, Tensor positions, Tensor mask, IKvCache cache)
    {
        var (cos, sin) = rotary.CosSin(positions, DType);
        return model.Forward(inputIds, cos, sin, mask, causal: false, cache);
    }

    /// <summary>
    /// Vocabulary logits (..., <see cref="OutputVocab"/>) for hidden states (..., d_model): the lm_head, or the embedding
    /// matrix when tied. Padding rows past the tokenizer's ids are cut off before the matmul, which equals masking them to
    /// -inf for every softmax, sampling and scoring alike, and costs nothing. A few rows without autograd on the CPU (a
    /// decode step) take <see cref="FewRowLinear"/>, like the decoder's projections.
    /// </summary>
    public Tensor LmHead(Tensor hidden)
    {
        var matrix = LmHeadMatrix();
        return FewRowLinear.Applies(hidden, matrix) ? FewRowLinear.Compute(hidden, matrix) : F.linear(hidden, matrix);
    }

    /// <summary>
    /// The (<see cref="OutputVocab"/>, d_model) matrix <see cref="LmHead"/> multiplies by: lm_head's weight or the tied
    /// embeddings, cut to the tokenizer's ids (a view; gradients reach the parameter through it).
    /// </summary>
    public Tensor LmHeadMatrix()
    {
        var weight = lm_head?.weight ?? model.EmbeddingWeight;
        return OutputVocab == Config.VocabSize ? weight : weight.narrow(0, 0, OutputVocab);
    }

    /// <summary>Full (B, T, V) logits of a causal forward over unpadded (or right-padded) rows. For tests and small models.</summary>
    public Tensor Logits(Tensor inputIds) => LmHead(Forward(inputIds));

    protected override void Dispose(bool disposing)
    {
        if (disposing) rotary.Dispose();
        base.Dispose(disposing);
    }
}
