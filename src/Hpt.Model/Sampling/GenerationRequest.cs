namespace Hpt.Model.Sampling;

/// <summary>
/// One prompt for the continuous generator: <c>RowSeeds.Count</c> samples of <paramref name="Prompt"/>, sample i drawing
/// from its own stream seeded by <c>RowSeeds[i]</c> (so its random numbers depend on nothing but that seed).
/// </summary>
/// <param name="Id">The caller's handle (a prompt seq); returned with the group.</param>
/// <param name="MaxNewTokens">A shorter response limit for this prompt; null = the generator's.</param>
public sealed record GenerationRequest(long Id, IReadOnlyList<int> Prompt, IReadOnlyList<ulong> RowSeeds, int? MaxNewTokens = null)
{
    public int Samples => RowSeeds.Count;
}

/// <summary>All samples of one request, in row-seed order. Each sample's <see cref="GeneratedSample.TokenVersions"/> is set.</summary>
public sealed record GeneratedGroup(long RequestId, IReadOnlyList<GeneratedSample> Samples);

/// <summary>A sample that entered the cache in one step: which request, which of its samples, which slot.</summary>
public readonly record struct Admission(long RequestId, int Sample, int Slot);

/// <summary>What one <see cref="ContinuousGenerator.Step"/> did.</summary>
/// <param name="Completed">Requests whose last sample finished in this step.</param>
/// <param name="Admitted">Samples that got a slot in this step (after their prompt's prefill completed).</param>
/// <param name="DecodedRows">Sequences in the step's batched decode forward (0 when it only prefilled).</param>
public sealed record GeneratorStep(IReadOnlyList<GeneratedGroup> Completed, IReadOnlyList<Admission> Admitted, int DecodedRows);
