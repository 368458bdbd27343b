using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// One micro-batch of response tokens for <see cref="UpgeLoss"/>. B rows, T response positions; all [B,T] tensors
/// are aligned on the response tokens (position t holds the log-prob of response token t). The batch does not own the
/// tensors: the caller disposes them.
/// </summary>
/// <param name="LogProbs">[B,T] log pi_theta of each response token, requires grad.</param>
/// <param name="OldLogProbs">[B,T] log pi_old: the learner's recompute before this update (no grad).</param>
/// <param name="BehaviourLogProbs">[B,T] log-probs from the sampler that produced the rollout (no grad); pass
/// <paramref name="OldLogProbs"/> again when they are the same, and for expert rows.</param>
/// <param name="Mask">[B,T] float, 1 on real response tokens (through the first EOS), 0 on padding.</param>
/// <param name="Advantages">[B] per row, or [B,T] per token (token-level advantages).</param>
/// <param name="IsExpert">[B] bool: the row is an expert demonstration (offline data), not a rollout.</param>
/// <param name="RlWeight">[B] weight of the row in the RL term: Alpha for rollouts, ExpertRlWeight for expert rows
/// (<see cref="Gating.TrainingRow.RlWeight"/>); 0 keeps the row out of the RL term and its counts.</param>
/// <param name="SftWeight">[B] weight of the row in the SFT term: Beta for expert rows, 0 otherwise
/// (<see cref="Gating.TrainingRow.SftWeight"/>); 0 keeps the row out of the SFT term and its counts.</param>
public sealed record UpgeBatch(
    Tensor LogProbs,
    Tensor OldLogProbs,
    Tensor BehaviourLogProbs,
    Tensor Mask,
    Tensor Advantages,
    Tensor IsExpert,
    Tensor RlWeight,
    Tensor SftWeight)
{
    /// <summary>[B,T] log pi_ref of a frozen reference model; needed only with a KL term.</summary>
    public Tensor? RefLogProbs { get; init; }

    /// <summary>[B,T] token entropy of pi_theta, with grad (entropy bonus; SRFT's entropy weights use it detached).</summary>
    public Tensor? Entropy { get; init; }

    /// <summary>Mini-batch counts to normalise by; null = this micro-batch's own counts (the official code).</summary>
    public LossNormalizer? Normalizer { get; init; }

    public long Rows => LogProbs.shape[0];

    public long Positions => LogProbs.shape[1];

    /// <summary>Throws with a readable message when a shape or type does not match.</summary>
    public void Validate()
    {
        if (LogProbs.dim() != 2)
        {
            throw new ArgumentException($"LogProbs must be [B,T], got [{string.Join(",", LogProbs.shape)}].");
        }
        RequireShape(OldLogProbs, nameof(OldLogProbs), 2);
        RequireShape(BehaviourLogProbs, nameof(BehaviourLogProbs), 2);
        RequireShape(Mask, nameof(Mask), 2);
        RequireShape(IsExpert, nameof(IsExpert), 1);
        RequireShape(RlWeight, nameof(RlWeight), 1);
        RequireShape(SftWeight, nameof(SftWeight), 1);
        RequireShape(Advantages, nameof(Advantages), Advantages.dim() == 1 ? 1 : 2);
        if (RefLogProbs is not null)
        {
            RequireShape(RefLogProbs, nameof(RefLogProbs), 2);
        }
        if (Entropy is not null)
        {
            RequireShape(Entropy, nameof(Entropy), 2);
        }
        if (IsExpert.dtype != ScalarType.Bool)
        {
            throw new ArgumentException($"IsExpert must be a bool tensor, got {IsExpert.dtype}.");
        }
    }

    private void RequireShape(Tensor t, string name, int dims)
    {
        var expected = dims == 1 ? new[] { Rows } : new[] { Rows, Positions };
        if (!t.shape.SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"{name} must be [{string.Join(",", expected)}], got [{string.Join(",", t.shape)}].");
        }
    }
}
