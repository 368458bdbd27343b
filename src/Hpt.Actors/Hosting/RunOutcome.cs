using Hpt.Tasks.Evaluation;

namespace Hpt.Actors.Hosting;

/// <summary>How a training run ended: where it lives, how far it got, and the held-out results before and after.</summary>
public sealed record RunOutcome(string RunDirectory, long Steps, long TotalSteps, bool Completed, BenchmarkResult? Before, BenchmarkResult? After,
    double TrainSeconds);
