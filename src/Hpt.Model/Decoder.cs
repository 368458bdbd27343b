using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Hpt.Model.Kernels;

namespace Hpt.Model;

// The Qwen2 / Llama decoder, top to bottom: RMSNorm, rotary, attention, MLP, layer, the "model" stack, the causal LM.
// Fields are named after the Hugging Face keys (TorchSharp registers each field under its name), so named_parameters()
// yields "model.layers.0.self_attn.q_proj.weight" etc. and checkpoints load with no mapping table.
// None of these forwards opens a dispose scope: callers run one scope per step (sampler, scorer, training loop), which
// also collects every intermediate created here.

/// <summary>RMSNorm (TorchSharp 0.107 has none). Like Hugging Face, the statistic is taken in fp32 and cast back before the weight.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double eps;

    public RmsNorm(int size, double eps, Device device, ScalarType dtype) : base(nameof(RmsNorm))
    {
        weight = new Parameter(ones(size, dtype: dtype, device: device));
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var fp32 = x.dtype == ScalarType.Float32; // skip two no-op casts: decode is sensitive to op count
        var xf = fp32 ? x : x.to(ScalarType.Float32);
        var normed = xf * rsqrt(xf.pow(2).mean([-1L], keepdim: true) + eps);
        return weight * (fp32 ? normed : normed.to(x.dtype));
    }
}

/// <summary>
/// Rotary position embedding (rotate-half form, as Hugging Face), with the config's rope_scaling applied to the
/// frequencies and cos/sin (see <see cref="Rope.RopeFrequencies"/>). Positions are explicit per row, so left-padded
/// batches and KV-cache decoding get the right angles. Not a Module: its frequency table is derived data, not a
/// checkpoint tensor.
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor invFreq; // (D/2) fp32
    private readonly double attentionFactor;

    public RotaryEmbedding(ModelConfig c, Device device)
    {
        var (f, factor) = Rope.RopeFrequencies.Compute(c.HeadDim, c.Theta, c.MaxPositionEmbeddings, c.RopeScaling);
        invFreq = tensor(f, device: device).DetachFromDisposeScope();
        attentionFactor = factor;
    }

    /// <summary>cos and sin, each (B, 1, T, D) in <paramref name="dtype"/>, for positions (B, T) int64.</summary>
    public (Tensor Cos, Tensor Sin) CosSin(Tensor positions, ScalarType dtype)
    {
        var freqs = positions.to(ScalarType.Float32).unsqueeze(-1) * invFreq; // (B, T, D/2), fp32 like HF
        var emb = cat([freqs, freqs], -1).unsqueeze(1);                       // (B, 1, T, D)
        if (attentionFactor == 1) return (emb.cos().to(dtype), emb.sin().to(dtype));
        // YaRN's attention factor scales cos and sin (so q.k by its square), in fp32 before the cast, as HF does.
        return ((emb.cos() * attentionFactor).to(dtype), (emb.sin() * attentionFactor).to(dtype));
    }

    /// <summary>x (B, H, T, D) rotated: x*cos + rotate_half(x)*sin.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return x * cos + rotated * sin;
    }

    public void Dispose() => invFreq.Dispose();
}

/// <summary>
/// Grouped-query self-attention with optional q/k/v bias (Qwen2 has it, Llama and Qwen3 not), Qwen3's per-head q/k
/// RMSNorm, and an optional KV cache.
/// </summary>
public sealed class Attention : nn.Module
{
    private readonly Linear q_proj, k_proj, v_proj, o_proj;
    private readonly RmsNorm? q_norm, k_norm; // Qwen3 only; null fields are not registered, so Qwen2 names stay as they were
    private readonly int heads, kvHeads, headDim;

    public Attention(ModelConfig c, Device device, ScalarType dtype) : base(nameof(Attention))
    {
        heads = c.NumAttentionHeads; kvHeads = c.NumKeyValueHeads; headDim = c.HeadDim;
        q_proj = nn.Linear(c.HiddenSize, heads * headDim, c.AttentionBias, device, dtype);
        k_proj = nn.Linear(c.HiddenSize, kvHeads * headDim, c.AttentionBias, device, dtype);
        v_proj = nn.Linear(c.HiddenSize, kvHeads * headDim, c.AttentionBias, device, dtype);
        o_proj = nn.Linear(heads * headDim, c.HiddenSize, c.OutputBias, device, dtype);
        if (c.QkNorm)
        {
            q_norm = new RmsNorm(headDim, c.RmsNormEps, device, dtype);
            k_norm = new RmsNorm(headDim, c.RmsNormEps, device, dtype);
        }
        RegisterComponents();
    }

    /// <param name="x">(B, T, d_model)</param>
    /// <param name="mask">bool (B, 1, T, Tk), true = attend; null with <paramref name="causal"/> = plain causal, else no mask.</param>
    /// <param name="cache">this layer's cache slot; x's keys/values are written at the cache's current length.</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, bool causal, IKvCache? cache, int layer)
    {
        var (b, t) = (x.shape[0], x.shape[1]);
        var q = FewRowLinear.Forward(q_proj, x).view(b, t, heads, headDim);   // (B, T, H, D)
        var k = FewRowLinear.Forward(k_proj, x).view(b, t, kvHeads, headDim); // (B, T, Hkv, D)
        if (q_norm is not null) { q = q_norm.forward(q); k = k_norm!.forward(k); } // over D, before the rotation (Qwen3)
        q = q.transpose(1, 2); // (B, H, T, D)
        k = k.transpose(1, 2); // (B, Hkv, T, D)
        var v = FewRowLinear.Forward(v_proj, x).view(b, t, kvHeads, headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null) (k, v) = cache.Append(layer, k, v); // (B, Hkv, Tk, D) views of the cache
        var rep = heads / kvHeads;
        Tensor o;
        if (t == 1 && rep > 1 && !causal)
        {
            // One decode query per row: fold the query heads of each kv group into the "query length" axis, so SDPA
            // reads the cache as is instead of repeat_interleave copying all of it every step. (B, Hkv, rep, D)
            var qg = q.reshape(b, kvHeads, rep, headDim);
            o = F.scaled_dot_product_attention(qg, k, v, mask).reshape(b, heads, 1, headDim);
        }
        else
        {
            if (rep > 1) { k = k.repeat_interleave(rep, dim: 1); v = v.repeat_interleave(rep, dim: 1); }
            // The 0.107 binding spells the argument is_casual. A causal flag with a shorter query than key (cache) would
            // align top-left and be wrong, so callers pass an explicit mask whenever a cache already holds tokens.
            o = F.scaled_dot_product_attention(q, k, v, mask, is_casual: causal && mask is null);
        }
        return FewRowLinear.Forward(o_proj, o.transpose(1, 2).reshape(b, t, heads * headDim));
    }
}

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) * up(x)).</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj, up_proj, down_proj;

    public Mlp(ModelConfig c, Device device, ScalarType dtype) : base(nameof(Mlp))
    {
        gate_proj = nn.Linear(c.HiddenSize, c.IntermediateSize, false, device, dtype);
        up_proj = nn.Linear(c.HiddenSize, c.IntermediateSize, false, device, dtype);
        down_proj = nn.Linear(c.IntermediateSize, c.HiddenSize, false, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => FewRowLinear.Forward(down_proj, F.silu(FewRowLinear.Forward(gate_proj, x)) * FewRowLinear.Forward(up_proj, x));
}

/// <summary>Pre-norm block: x + attn(norm(x)), then + mlp(norm(.)).</summary>
public sealed class DecoderLayer : nn.Module
{
    private readonly Attention self_attn;
    private readonly Mlp mlp;
    private readonly RmsNorm input_layernorm, post_attention_layernorm;

    public DecoderLayer(ModelConfig c, Device device, ScalarType dtype) : base(nameof(DecoderLayer))
    {
        self_attn = new Attention(c, device, dtype);
        mlp = new Mlp(c, device, dtype);
        input_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, device, dtype);
        post_attention_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, bool causal, IKvCache? cache, int layer)
    {
        var h = x + self_attn.Forward(input_layernorm.forward(x), cos, sin, mask, causal, cache, layer);
        return h + mlp.forward(post_attention_layernorm.forward(h));
    }
}

/// <summary>The Hugging Face "model" sub-module: embeddings, layers, final norm.</summary>
public sealed class DecoderStack : nn.Module
{
    private readonly Embedding embed_tokens;
    private readonly ModuleList<DecoderLayer> layers;
    private readonly RmsNorm norm;

    public DecoderStack(ModelConfig c, Device device, ScalarType dtype) : base("model")
    {
        embed_tokens = nn.Embedding(c.VocabSize, c.HiddenSize, device: device, dtype: dtype);
        layers = new ModuleList<DecoderLayer>();
        for (var i = 0; i < c.NumHiddenLayers; i++) layers.Add(new DecoderLayer(c, device, dtype));
        norm = new RmsNorm(c.HiddenSize, c.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    public Parameter EmbeddingWeight => embed_tokens.weight!;

    /// <summary>See <see cref="CausalLM.ActivationCheckpointing"/>.</summary>
    public bool ActivationCheckpointing { get; set; }

    /// <summary>Final-normed hidden states (B, T, d_model).</summary>
    public Tensor Forward(Tensor inputIds, Tensor cos, Tensor sin, Tensor? mask, bool causal, IKvCache? cache)
    {
        var h = embed_tokens.forward(inputIds);
        var checkpoint = ActivationCheckpointing && cache is null && is_grad_enabled();
        for (var i = 0; i < layers.Count; i++)
            h = checkpoint
                ? CheckpointedLayerFunction.Apply(layers[i], i, h, cos, sin, mask, causal)
                : layers[i].Forward(h, cos, sin, mask, causal, cache, i);
        return norm.forward(h);
    }
}
