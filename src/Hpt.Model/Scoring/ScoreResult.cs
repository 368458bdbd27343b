using static TorchSharp.torch;

namespace Hpt.Model.Scoring;

/// <summary>
/// Teacher-forced scores of a batch of responses, all (B, Tmax) fp32 on the model's device, zero where
/// <see cref="Mask"/> is 0. With gradients requested, <see cref="LogProbs"/> and <see cref="Entropies"/> carry the graph.
/// The tensors belong to the caller's dispose scope (or dispose this object).
/// </summary>
/// <param name="LogProbs">log pi(response[t] | prompt, response[&lt;t]) at temperature 1.</param>
/// <param name="Entropies">Entropy of the full next-token distribution at each response position.</param>
/// <param name="Mask">1 for real response tokens, 0 for padding.</param>
public sealed record ScoreResult(Tensor LogProbs, Tensor Entropies, Tensor Mask) : IDisposable
{
    public void Dispose()
    {
        LogProbs.Dispose();
        Entropies.Dispose();
        Mask.Dispose();
    }
}
