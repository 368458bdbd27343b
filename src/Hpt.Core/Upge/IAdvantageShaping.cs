using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// A change to the on-policy advantages that needs the learner's tensors (so the plain-C# gate cannot do it).
/// </summary>
public interface IAdvantageShaping
{
    /// <summary>The configuration name (<c>algorithm.advantage-shaping</c>).</summary>
    string Name { get; }

    /// <summary>True when <see cref="Apply"/> needs the per-row mean entropy.</summary>
    bool NeedsRowEntropy { get; }

    /// <summary>Advantages [B,1] or [B,T] in, same shape out; <paramref name="rowEntropy"/> is detached, [B,1].</summary>
    Tensor Apply(Tensor advantages, Tensor? rowEntropy);
}
