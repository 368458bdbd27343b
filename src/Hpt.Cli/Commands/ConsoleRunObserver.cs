using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Commands;

/// <summary>Plain-line run output (one line per step).</summary>
public sealed class ConsoleRunObserver : IRunObserver
{
    private readonly object _gate = new();

    public List<StepMetrics> Steps { get; } = [];

    public void Message(string text)
    {
        lock (_gate) Console.WriteLine(text);
    }

    public void Progress(RunProgress p)
    {
        var m = p.Metrics;
        var rate = p.ElapsedSeconds > 0 ? Steps.Sum(s => s.Samples) / p.ElapsedSeconds : 0;
        lock (_gate)
        {
            Steps.Add(m);
            Console.WriteLine($"step {p.Step}/{p.TotalSteps}  reward {m.RewardMean:0.000}  offline {m.OfflineDataRatio:0.00}  " +
                              $"entropy {m.Entropy:0.000}  len {m.ResponseLengthMean:0.0}  loss {m.Loss:0.0000}  " +
                              $"staleness {m.StalenessMean:0.00}  {rate:0.0} samples/s");
        }
    }

    public void Evaluated(string label, BenchmarkResult r)
    {
        lock (_gate)
            Console.WriteLine($"eval {label}: {r.Benchmark}, {r.Problems} problems, greedy {r.GreedyAccuracy:0.000}, " +
                              $"avg@{r.Samples} {r.AverageAtK:0.000}, pass@1 {r.PassAtK[0]:0.000}, pass@{r.Samples} {r.PassAtK[^1]:0.000}");
    }
}
