using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// Reshapes the likelihood term of the expert (off-policy) rows: J = A * f(r). With pi_ref = 1, r = p, and f changes
/// the token weight of grad log p from p to p * f'(p).
/// </summary>
public interface ILikelihoodShaping
{
    /// <summary>The configuration name (<c>algorithm.shaping</c>).</summary>
    string Name { get; }

    Tensor Apply(Tensor ratio);
}
