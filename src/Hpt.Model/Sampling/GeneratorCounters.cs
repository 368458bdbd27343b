namespace Hpt.Model.Sampling;

/// <summary>Running totals of a continuous generator, for benchmarks and metrics (reset with <see cref="ContinuousGenerator.ResetCounters"/>).</summary>
public sealed class GeneratorCounters
{
    /// <summary>Batched decode forwards.</summary>
    public long DecodeSteps { get; internal set; }

    /// <summary>Sum over decode steps of the sequences in the batch (slot-steps doing useful work).</summary>
    public long DecodeRows { get; internal set; }

    /// <summary>Sum over decode steps of the free slots while no prompt was waiting or prefilling (the long tail).</summary>
    public long TailIdleSlotSteps { get; internal set; }

    /// <summary>Response tokens sampled (decode steps plus the first token of each sample from its prefill).</summary>
    public long GeneratedTokens { get; internal set; }

    /// <summary>Prompt (and recomputed) tokens run through prefill forwards.</summary>
    public long PrefillTokens { get; internal set; }

    /// <summary>Prompts prefilled once for several samples: copies made instead of prefills.</summary>
    public long SharedPrefixCopies { get; internal set; }

    public double PrefillSeconds { get; internal set; }
    public double DecodeSeconds { get; internal set; }
}
