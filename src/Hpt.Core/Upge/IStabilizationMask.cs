using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// The stabilisation mask 1_stable of the UPGE (Table 1, column 4), expressed as a per-token surrogate objective J
/// (to be maximised) whose gradient is mask * A * grad r, where r = pi_theta / pi_ref.
/// </summary>
public interface IStabilizationMask
{
    /// <summary>The configuration name (<c>algorithm.mask</c>).</summary>
    string Name { get; }

    /// <summary>J [B,T] from the ratio r, its log, and the advantage A (broadcastable to [B,T]).</summary>
    Tensor Objective(Tensor ratio, Tensor logRatio, Tensor advantage);

    /// <summary>Bool [B,T]: where the mask zeroes or caps the gradient (for the clip-fraction metric).</summary>
    Tensor Clipped(Tensor ratio, Tensor advantage);
}
