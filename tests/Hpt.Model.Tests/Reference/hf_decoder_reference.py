#!/usr/bin/env python3
"""Independent PyTorch reference of Hugging Face's Qwen2 / Qwen3 / Llama causal LM forward (eager attention).

Written from transformers' modeling_qwen2 / modeling_qwen3 / modeling_llama and modeling_rope_utils, sharing no code
with the C# decoder: it reads config.json and model.safetensors itself (the layout is decided by which tensors the file
holds, not by the C# config logic), and prints the logits, the rotary inverse frequencies and the attention scaling.

Usage: hf_decoder_reference.py MODEL_DIR < {"ids": [[...], ...]}  ->  {"logits": [[[...]]], "inv_freq": [...], "attention_scaling": x}
"""
import json
import math
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        raw = data[a:b]
        if e["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype="<f4").copy()
        elif e["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32).copy()
        else:
            raise SystemExit(f"unsupported dtype {e['dtype']}")
        out[name] = torch.from_numpy(arr.reshape(e["shape"]))
    return out


def rope_parameters(cfg, head_dim):
    """inv_freq and attention factor, as transformers' ROPE_INIT_FUNCTIONS compute them."""
    scaling = cfg.get("rope_parameters") or cfg.get("rope_scaling") or {}
    base = scaling.get("rope_theta", cfg.get("rope_theta", 10000.0))
    rope_type = scaling.get("rope_type", scaling.get("type", "default"))
    dim = head_dim
    max_pos = cfg["max_position_embeddings"]
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    if rope_type == "default":
        return inv_freq, 1.0
    factor = scaling["factor"]
    if rope_type == "linear":
        return inv_freq / factor, 1.0
    if rope_type == "llama3":
        low_freq_factor = scaling["low_freq_factor"]
        high_freq_factor = scaling["high_freq_factor"]
        old_context_len = scaling["original_max_position_embeddings"]
        low_freq_wavelen = old_context_len / low_freq_factor
        high_freq_wavelen = old_context_len / high_freq_factor
        wavelen = 2 * math.pi / inv_freq
        inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
        smoothed = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
        is_medium = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
        return torch.where(is_medium, smoothed, inv_freq_llama), 1.0
    if rope_type == "yarn":
        original = scaling.get("original_max_position_embeddings", max_pos)
        attention_factor = scaling.get("attention_factor")
        mscale = scaling.get("mscale")
        mscale_all_dim = scaling.get("mscale_all_dim")

        def get_mscale(scale, m=1):
            return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0

        if attention_factor is None:
            if mscale and mscale_all_dim:
                attention_factor = float(get_mscale(factor, mscale) / get_mscale(factor, mscale_all_dim))
            else:
                attention_factor = get_mscale(factor)
        beta_fast = scaling.get("beta_fast") or 32
        beta_slow = scaling.get("beta_slow") or 1

        def correction_dim(rot):
            return (dim * math.log(original / (rot * 2 * math.pi))) / (2 * math.log(base))

        low, high = correction_dim(beta_fast), correction_dim(beta_slow)
        if scaling.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, dim - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
        pos_freqs = base ** (torch.arange(0, dim, 2).float() / dim)
        extrapolation = 1.0 / pos_freqs
        interpolation = 1.0 / (factor * pos_freqs)
        extrapolation_factor = 1 - ramp
        return interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor, attention_factor
    raise SystemExit(f"reference: rope_type {rope_type} not implemented")


def rms_norm(x, w, eps):
    dtype = x.dtype
    x = x.to(torch.float32)
    x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return w * x.to(dtype)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def linear(x, W, name):
    y = x @ W[name + ".weight"].T
    if name + ".bias" in W:
        y = y + W[name + ".bias"]
    return y


def forward(cfg, W, ids):
    heads, kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    head_dim = cfg.get("head_dim") or cfg["hidden_size"] // heads
    eps = cfg["rms_norm_eps"]
    inv_freq, attention_scaling = rope_parameters(cfg, head_dim)
    b, t = ids.shape
    pos = torch.arange(t, dtype=torch.float32)[None, :].expand(b, t)
    freqs = pos[:, :, None] * inv_freq[None, None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos = (emb.cos() * attention_scaling)[:, None]
    sin = (emb.sin() * attention_scaling)[:, None]
    mask = torch.full((t, t), float("-inf")).triu(1)

    h = W["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        x = rms_norm(h, W[p + "input_layernorm.weight"], eps)
        q = linear(x, W, p + "self_attn.q_proj").view(b, t, heads, head_dim)
        k = linear(x, W, p + "self_attn.k_proj").view(b, t, kv, head_dim)
        v = linear(x, W, p + "self_attn.v_proj").view(b, t, kv, head_dim).transpose(1, 2)
        if p + "self_attn.q_norm.weight" in W:
            q = rms_norm(q, W[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, W[p + "self_attn.k_norm.weight"], eps)
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kv, dim=1)
        v = v.repeat_interleave(heads // kv, dim=1)
        w = (q @ k.transpose(2, 3)) / math.sqrt(head_dim) + mask
        w = torch.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        o = (w @ v).transpose(1, 2).reshape(b, t, heads * head_dim)
        h = h + linear(o, W, p + "self_attn.o_proj")
        x = rms_norm(h, W[p + "post_attention_layernorm.weight"], eps)
        gate = linear(x, W, p + "mlp.gate_proj")
        up = linear(x, W, p + "mlp.up_proj")
        h = h + linear(torch.nn.functional.silu(gate) * up, W, p + "mlp.down_proj")
    h = rms_norm(h, W["model.norm.weight"], eps)
    head = W.get("lm_head.weight", W["model.embed_tokens.weight"])
    return h @ head.T, inv_freq, attention_scaling


def main():
    folder = sys.argv[1]
    with open(f"{folder}/config.json") as f:
        cfg = json.load(f)
    W = read_safetensors(f"{folder}/model.safetensors")
    req = json.load(sys.stdin)
    ids = torch.tensor(req["ids"], dtype=torch.int64)
    with torch.no_grad():
        logits, inv_freq, scaling = forward(cfg, W, ids)
    json.dump({"logits": logits.tolist(), "inv_freq": inv_freq.tolist(), "attention_scaling": scaling}, sys.stdout)


if __name__ == "__main__":
    main()
