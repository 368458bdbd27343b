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

    // Where a decode step's time goes (host clock: exact on the CPU, where every op is synchronous; on a GPU the
    // sampling's device-to-host copy absorbs the queued work).

    /// <summary>The decoder layers of the batched decode forwards (attention, MLP, KV writes).</summary>
    public double DecodeForwardSeconds { get; internal set; }

    /// <summary>The vocabulary projection of the decode steps (every row, full vocabulary).</summary>
    public double LmHeadSeconds { get; internal set; }

    /// <summary>Sampling, the device-to-host copy and bookkeeping of the decode steps (retiring finished rows included).</summary>
    public double SampleSeconds { get; internal set; }

    /// <summary>Sum over decode forwards of rows x key columns read (every row reads up to the longest live row).</summary>
    public long DecodeAttendSlotSteps { get; internal set; }

    /// <summary>Sum over decode forwards of each row's own key columns (what a per-row-length attention would read).</summary>
    public long DecodeKvSlotSteps { get; internal set; }
}
