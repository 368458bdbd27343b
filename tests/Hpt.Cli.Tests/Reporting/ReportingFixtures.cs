using Hpt.Actors.Protocol;
using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Tests.Reporting;

/// <summary>Made-up steps and benchmark results with round numbers, so assertions can name them.</summary>
internal static class ReportingFixtures
{
    public static StepMetrics Step(long step, double reward = 0.5, double offline = 0.25, double entropy = 0.8,
        double length = 17.5, double samples = 8) =>
        new(Step: step, Loss: 0.1, RewardMean: reward, RewardStd: 0.2, ZeroVarianceGroupFraction: 0.1,
            OfflinePromptRatio: offline, ResponseLengthMean: length, TruncationRate: 0, Entropy: entropy,
            ClipFraction: 0.01, MismatchKl: 0.001, GradNorm: 1.5, UpdateSkipped: false, StalenessMean: 0.5,
            StalenessMax: 1, LearnerSeconds: 0.25, LearnerIdleFraction: 0.1, PublishSeconds: 0.01, Prompts: 2,
            Rows: 16, Tokens: 280, Samples: samples)
        {
            OfflineSampleRatio = offline,
        };

    /// <summary>A rising, noisy run of <paramref name="count"/> steps.</summary>
    public static IReadOnlyList<StepMetrics> Run(int count) =>
        Enumerable.Range(1, count)
            .Select(i => Step(i, reward: 0.2 + 0.5 * i / count + 0.05 * Math.Sin(i), offline: 0.5 - 0.4 * i / count,
                entropy: 1.2 - 0.5 * i / count, length: 20 + i % 5))
            .ToList();

    /// <summary>16 problems, 8 samples each.</summary>
    public static BenchmarkResult Benchmark(double greedy, double average, params double[] passAtK) =>
        new("arith", Problems: 16, Samples: 8, AverageAtK: average, PassAtK: passAtK, GreedyAccuracy: greedy,
            CorrectCounts: Enumerable.Repeat(2, 16).ToList());

    public static BenchmarkResult Before => Benchmark(0.25, 0.2, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7);
    public static BenchmarkResult After => Benchmark(0.375, 0.4, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.875);

    /// <summary>A fresh directory under the temp folder, removed on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("hpt-cli-tests-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
        }
    }
}
