using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>A per-row factor on the SFT term's -log p.</summary>
public interface ISftWeighting
{
    /// <summary>The configuration name (<c>algorithm.sft-weighting</c>).</summary>
    string Name { get; }

    bool NeedsRowEntropy { get; }

    /// <summary>[B,1] factors, or null for 1; <paramref name="rowEntropy"/> is detached, [B,1].</summary>
    Tensor? Weight(Tensor? rowEntropy);
}
