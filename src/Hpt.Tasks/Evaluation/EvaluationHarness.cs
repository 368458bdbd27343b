namespace Hpt.Tasks.Evaluation;

/// <summary>
/// Runs a benchmark: samples completions through the given <see cref="CompletionSampler"/>, scores each with the
/// reward (0/1; anything above 0.5 counts as correct), and reports avg@k and unbiased pass@k (and greedy accuracy).
/// </summary>
public sealed class EvaluationHarness
{
    private readonly CompletionSampler _sampler;
    private readonly int _batchSize;

    public EvaluationHarness(CompletionSampler sampler, int batchSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _sampler = sampler;
        _batchSize = batchSize;
    }

    public async Task<BenchmarkResult> EvaluateAsync(
        string benchmark,
        IReadOnlyList<Problem> problems,
        Func<Problem, string, double> reward,
        EvaluationProtocol protocol,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(protocol.Samples, 1);
        var counts = await CorrectCounts(problems, reward, protocol.Samples, protocol.Sampling, cancellationToken).ConfigureAwait(false);
        double? greedy = null;
        if (protocol.IncludeGreedy)
        {
            var greedyCounts = await CorrectCounts(problems, reward, 1, SamplingParameters.Greedy(protocol.Sampling.MaxNewTokens),
                cancellationToken).ConfigureAwait(false);
            greedy = problems.Count == 0 ? 0 : greedyCounts.Average();
        }
        var n = protocol.Samples;
        var average = problems.Count == 0 ? 0 : counts.Sum() / (double)(problems.Count * n);
        return new BenchmarkResult(benchmark, problems.Count, n, average, PassAtK.MeanCurve(n, counts), greedy, counts);
    }

    private async Task<int[]> CorrectCounts(IReadOnlyList<Problem> problems, Func<Problem, string, double> reward, int samples,
        SamplingParameters parameters, CancellationToken cancellationToken)
    {
        var counts = new int[problems.Count];
        for (var start = 0; start < problems.Count; start += _batchSize)
        {
            var batch = problems.Skip(start).Take(_batchSize).ToList();
            var completions = await _sampler(batch.Select(p => p.Prompt).ToList(), samples, parameters, cancellationToken).ConfigureAwait(false);
            if (completions.Count != batch.Count)
                throw new InvalidOperationException($"sampler returned {completions.Count} completion lists for {batch.Count} prompts");
            for (var i = 0; i < batch.Count; i++)
            {
                if (completions[i].Count != samples)
                    throw new InvalidOperationException($"sampler returned {completions[i].Count} completions, expected {samples}");
                counts[start + i] = completions[i].Count(c => reward(batch[i], c) > 0.5);
            }
        }
        return counts;
    }
}
