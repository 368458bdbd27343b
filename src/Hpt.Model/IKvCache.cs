using static TorchSharp.torch;

namespace Hpt.Model;

/// <summary>
/// Where an attention layer writes the keys and values of the tokens it is given and reads back everything they may
/// attend to. <see cref="KvCache"/> is one batch at one shared length; <see cref="Sampling.SlotKvCache"/> holds many
/// independent sequences of different lengths (continuous batching).
/// </summary>
public interface IKvCache
{
    /// <summary>Stores k, v (B, Hkv, T, D) of <paramref name="layer"/>; returns (B, Hkv, Tk, D) keys and values to attend to.</summary>
    (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v);
}
