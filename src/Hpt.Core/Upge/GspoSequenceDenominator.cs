using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// GSPO (Zheng et al. 2025), Table 1: pi_ref = pi_theta * (pi_old(tau) / pi_theta(tau))^(1/|tau|). Every token of
/// row i carries the value s_i = exp(mean_t log(pi_theta / pi_old)), the length-normalised sequence ratio, and the
/// gradient s_i * grad log pi_theta(token) (GSPO-token form; with a per-sequence token mean this is exactly GSPO's
/// sequence gradient). A PPO clip on this ratio is GSPO's sequence-level clip. Name <c>gspo-sequence</c>.
/// </summary>
public sealed record GspoSequenceDenominator : IReferenceDenominator
{
    public string Name => "gspo-sequence";

    public Tensor LogRatio(Tensor logProbs, Tensor oldLogProbs, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var tokens = mask.sum(1, keepdim: true).clamp_min(1.0);                                  // [B,1]
        var sequence = ((logProbs.detach() - oldLogProbs) * mask).sum(1, keepdim: true) / tokens; // [B,1]
        return (logProbs - logProbs.detach() + sequence).MoveToOuterDisposeScope();
    }
}
