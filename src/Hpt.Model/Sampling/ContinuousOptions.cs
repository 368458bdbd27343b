namespace Hpt.Model.Sampling;

/// <summary>What a running sequence does with its KV cache when the weights change under it.</summary>
public enum KvAfterUpdate
{
    /// <summary>
    /// Keep the KV computed by the old weights and continue (PipelineRL, Magistral): no work is redone, and each token's
    /// behaviour log-prob is still the exact probability it was sampled with, which is all the learner's importance
    /// correction needs. A token after the update is conditioned on old-weight keys, so it is not exactly what the new
    /// policy alone would give.
    /// </summary>
    Keep,

    /// <summary>
    /// Recompute the KV of every running sequence with the new weights before the next decode step (AReaL): one
    /// prefill of every running context per update, after which each token is sampled from exactly pi_version.
    /// </summary>
    Recompute,
}

/// <summary>How the continuous generator is sized and scheduled.</summary>
public sealed record ContinuousOptions
{
    /// <summary>Sequences in flight (slots of the KV cache), from all prompts together.</summary>
    public int MaxSequences { get; init; } = 32;

    /// <summary>Longest prompt accepted, in tokens; with Sampling.MaxNewTokens it sizes each slot.</summary>
    public int MaxPromptTokens { get; init; } = 256;

    /// <summary>Prompt tokens prefilled between two decode steps at most, so a long prompt does not stall decoding.</summary>
    public int PrefillChunkTokens { get; init; } = 128;

    public KvAfterUpdate KvAfterUpdate { get; init; } = KvAfterUpdate.Keep;

    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>
    /// On the CPU in fp32, decode with <see cref="Kernels.FewRowLinear"/> and libtorch's operators inline (the default;
    /// on the bench's workload 1.2-1.3x the tokens/s of libtorch's own threads with one process per run, 1.06-1.08x
    /// inside one <c>hpt bench rollout</c>, which runs both). False keeps libtorch's GEMM and threads for every operator.
    /// Ignored on a GPU and where the kernel cannot run.
    /// </summary>
    public bool CpuKernel { get; init; } = true;

    /// <summary>Positions per slot.</summary>
    public int SlotCapacity => MaxPromptTokens + Sampling.MaxNewTokens;

    public ContinuousOptions Validate()
    {
        Sampling.Validate();
        if (MaxSequences < 1) throw new ArgumentException($"MaxSequences must be at least 1 (got {MaxSequences})");
        if (MaxPromptTokens < 1) throw new ArgumentException($"MaxPromptTokens must be at least 1 (got {MaxPromptTokens})");
        if (PrefillChunkTokens < 1) throw new ArgumentException($"PrefillChunkTokens must be at least 1 (got {PrefillChunkTokens})");
        if (Sampling.MaxNewTokens < 1) throw new ArgumentException($"MaxNewTokens must be at least 1 (got {Sampling.MaxNewTokens})");
        return this;
    }
}
