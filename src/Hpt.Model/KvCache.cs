using static TorchSharp.torch;

namespace Hpt.Model;

/// <summary>
/// Preallocated keys and values for every layer, (B, Hkv, capacity, D) each. Appending is a <c>narrow().copy_()</c> into
/// the buffer (O(new tokens); <c>cat</c> would copy the whole prefix every step), and attention reads a
/// <c>narrow(2, 0, length)</c> view. All layers write at the same offset during one forward, so the length moves only
/// when the caller calls <see cref="Advance"/> after the forward. The buffers live outside every dispose scope; dispose the cache.
/// </summary>
public sealed class KvCache : IKvCache, IDisposable
{
    private readonly Tensor[] keys;
    private readonly Tensor[] values;

    public int Capacity { get; }
    /// <summary>Positions already written (the next write offset).</summary>
    public int Length { get; private set; }

    public KvCache(ModelConfig config, int batch, int capacity, Device device, ScalarType dtype)
    {
        Capacity = capacity;
        keys = new Tensor[config.NumHiddenLayers];
        values = new Tensor[config.NumHiddenLayers];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = zeros([batch, config.NumKeyValueHeads, capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
            values[i] = zeros([batch, config.NumKeyValueHeads, capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
    }

    public static KvCache For(CausalLM model, int batch, int capacity) => new(model.Config, batch, capacity, model.Device, model.DType);

    /// <summary>Writes k, v (B, Hkv, T, D) at <see cref="Length"/>; returns views of everything up to and including them.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        var t = (int)k.shape[2];
        if (Length + t > Capacity) throw new InvalidOperationException($"KV cache full: {Length} + {t} > capacity {Capacity}");
        keys[layer].narrow(2, Length, t).copy_(k);
        values[layer].narrow(2, Length, t).copy_(v);
        return (keys[layer].narrow(2, 0, Length + t), values[layer].narrow(2, 0, Length + t));
    }

    public void Advance(int tokens) => Length += tokens;

    public void Reset() => Length = 0;

    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
