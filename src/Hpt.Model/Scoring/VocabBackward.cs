namespace Hpt.Model.Scoring;

/// <summary>How <see cref="Scorer"/> differentiates the vocabulary projection (lm_head + log-softmax + entropy).</summary>
public enum VocabBackward
{
    /// <summary>Keep only the hidden states; recompute each chunk's logits in backward (memory independent of T).</summary>
    Recompute,

    /// <summary>Plain autograd: every chunk's logits and softmax stay in the graph (memory grows as T x V).</summary>
    KeepGraph,
}
