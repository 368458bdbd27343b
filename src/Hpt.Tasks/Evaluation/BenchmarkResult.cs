namespace Hpt.Tasks.Evaluation;

/// <summary>
/// The outcome of one benchmark: avg@k (mean reward over all samples), unbiased pass@k for k = 1..n (index k-1),
/// greedy accuracy when it was run, and the per-problem correct counts the estimates came from.
/// </summary>
public sealed record BenchmarkResult(
    string Benchmark,
    int Problems,
    int Samples,
    double AverageAtK,
    IReadOnlyList<double> PassAtK,
    double? GreedyAccuracy,
    IReadOnlyList<int> CorrectCounts);
