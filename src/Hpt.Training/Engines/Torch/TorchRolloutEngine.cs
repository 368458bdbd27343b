using Hpt.Model;
using Hpt.Model.Sampling;

namespace Hpt.Training.Engines.Torch;

/// <summary>
/// A rollout worker's policy copy: samples n responses per prompt with the KV-cache sampler. Row i of prompt s draws
/// from a stream seeded by (run seed, s, i), so a prompt gives the same samples on any worker and after a resume.
/// </summary>
public sealed class TorchRolloutEngine(CausalLM model, PromptCodec codec, SamplingOptions sampling, int runSeed) : IRolloutEngine
{
    private readonly Sampler _sampler = new(model);

    /// <summary>-1 until the first policy is loaded: a fresh engine never samples with weights nobody published.</summary>
    public long PolicyVersion { get; private set; } = -1;

    /// <summary>Seconds spent copying weights in (the in-process weight-publish cost).</summary>
    public double LoadSeconds { get; private set; }

    public void LoadPolicy(PolicySnapshot snapshot)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        PolicyVersion = snapshot.Weights.LoadInto(model, snapshot.Version);
        LoadSeconds += clock.Elapsed.TotalSeconds;
    }

    public IReadOnlyList<Rollout> Generate(RolloutRequest request)
    {
        var prompt = codec.EncodePrompt(request.Prompt);
        var prompts = Enumerable.Repeat<IReadOnlyList<int>>(prompt, request.Samples).ToArray();
        var seeds = Enumerable.Range(0, request.Samples).Select(i => RowSeed(runSeed, request.Seq, i)).ToArray();
        var generated = _sampler.Generate(prompts, sampling, PolicyVersion, seeds);
        return generated.Select(g => new Rollout(
                codec.DecodeResponse(g.TokenIds),
                prompt,
                g.TokenIds,
                g.SamplingLogProbs,
                Enumerable.Repeat(g.PolicyVersion, g.TokenIds.Length).ToArray(),
                g.Truncated))
            .ToArray();
    }

    /// <summary>The seed of sample <paramref name="row"/> of prompt <paramref name="seq"/>: the same in both batching modes.</summary>
    public static ulong RowSeed(int runSeed, long seq, int row) =>
        unchecked((ulong)runSeed * 0x9E3779B97F4A7C15UL ^ (ulong)seq * 0xBF58476D1CE4E5B9UL ^ (ulong)(row + 1) * 0x94D049BB133111EBUL);

    public void Dispose() => model.Dispose();
}
