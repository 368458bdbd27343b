using System.Globalization;
using Hpt.Tasks.Evaluation;

namespace Hpt.Benchmarks;

/// <summary>
/// The figures of one measured run. The window runs from the end of training step 1 to the end of the last step;
/// busy and idle fractions are of that window, and the rollout's busy time is its generation plus weight loading.
/// </summary>
public sealed record RunFigures(
    string Name,
    int Repeat,
    int MaxStaleness,
    int TorchThreads,
    int LearnerThreadsSeen,
    int RolloutThreadsSeen,
    int Steps,
    double WindowSeconds,
    int Samples,
    double SamplesPerSecond,
    double CpuSecondsPerSample,
    double CpuCoresUsed,
    double LearnerIdle,
    double RolloutIdle,
    double GenerateSecondsPerStep,
    double TrainSecondsPerStep,
    double NeitherBusySecondsPerStep,
    double FinalReward,
    double LastQuarterReward,
    IReadOnlyList<double> StepRewards,
    int Requeued,
    double? LoadBefore,
    double? LoadAfter,
    BenchmarkResult? HeldOut)
{
    /// <summary>What perfect overlap of generation and training would give over running them in turn.</summary>
    public double IdealOverlapSpeedup =>
        Math.Max(GenerateSecondsPerStep, TrainSecondsPerStep) <= 0
            ? 1
            : (GenerateSecondsPerStep + TrainSecondsPerStep) / Math.Max(GenerateSecondsPerStep, TrainSecondsPerStep);

    public static RunFigures From(string name, int repeat, int maxStaleness, int torchThreads, RunTimeline timeline, int requeued,
        double? loadBefore, double? loadAfter, BenchmarkResult? heldOut)
    {
        var steps = timeline.Steps.OrderBy(s => s.End).ToArray();
        if (steps.Length < 2) throw new InvalidOperationException($"run '{name}' recorded {steps.Length} training steps; at least 2 are needed");
        var first = steps[0];
        var last = steps[^1];
        var timed = steps.Skip(1).ToArray();
        var window = last.End - first.End;
        var samples = timed.Sum(s => s.Samples);
        var learnerBusy = timed.Sum(s => s.End - s.Start);
        var rolloutBusy = timeline.RolloutBusy.Sum(b => Math.Max(0, Math.Min(b.End, last.End) - Math.Max(b.Start, first.End)));
        var cpu = last.CpuSeconds - first.CpuSeconds;
        var neitherBusy = window - Covered(timed.Select(s => (s.Start, s.End)).Concat(timeline.RolloutBusy), first.End, last.End);
        var quarter = Math.Max(1, steps.Length / 4);
        return new RunFigures(
            Name: name,
            Repeat: repeat,
            MaxStaleness: maxStaleness,
            TorchThreads: torchThreads,
            LearnerThreadsSeen: timeline.LearnerThreads,
            RolloutThreadsSeen: timeline.RolloutThreads,
            Steps: steps.Length,
            WindowSeconds: window,
            Samples: samples,
            SamplesPerSecond: samples / window,
            CpuSecondsPerSample: cpu / Math.Max(1, samples),
            CpuCoresUsed: cpu / window,
            LearnerIdle: Math.Clamp(1 - learnerBusy / window, 0, 1),
            RolloutIdle: Math.Clamp(1 - rolloutBusy / window, 0, 1),
            GenerateSecondsPerStep: rolloutBusy / timed.Length,
            TrainSecondsPerStep: learnerBusy / timed.Length,
            NeitherBusySecondsPerStep: neitherBusy / timed.Length,
            FinalReward: last.RewardMean,
            LastQuarterReward: steps.TakeLast(quarter).Average(s => s.RewardMean),
            StepRewards: steps.Select(s => s.RewardMean).ToArray(),
            Requeued: requeued,
            LoadBefore: loadBefore,
            LoadAfter: loadAfter,
            HeldOut: heldOut);
    }

    /// <summary>The time within [<paramref name="from"/>, <paramref name="to"/>] that at least one interval covers.</summary>
    private static double Covered(IEnumerable<(double Start, double End)> intervals, double from, double to)
    {
        double covered = 0, reach = from;
        foreach (var (start, end) in intervals.Select(b => (Start: Math.Max(b.Start, from), End: Math.Min(b.End, to)))
                     .Where(b => b.End > b.Start).OrderBy(b => b.Start))
        {
            if (end <= reach) continue;
            covered += end - Math.Max(start, reach);
            reach = end;
        }
        return covered;
    }

    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var heldOut = HeldOut is { } h
            ? string.Format(c, "; held-out avg@{0} {1:0.000}, greedy {2:0.000} ({3} problems)", h.Samples, h.AverageAtK, h.GreedyAccuracy ?? double.NaN, h.Problems)
            : "";
        return string.Format(c,
            "{0,-15} #{1} eta {2}, torch threads {3} (seen: learner {4}, rollout {5}): {6,7:0.00} samples/s ({7} samples in {8:0.00} s), " +
            "cpu {9:0.00} cores, generate {10:0.000} s + train {11:0.000} s per step, neither busy {20:0.0} ms per step, idle learner {12:P0} rollout {13:P0}, " +
            "final reward {14:0.000} (last quarter {15:0.000}), requeued {16}, load {17} -> {18}{19}",
            Name, Repeat + 1, MaxStaleness, TorchThreads, LearnerThreadsSeen, RolloutThreadsSeen, SamplesPerSecond, Samples, WindowSeconds,
            CpuCoresUsed, GenerateSecondsPerStep, TrainSecondsPerStep, LearnerIdle, RolloutIdle, FinalReward, LastQuarterReward, Requeued,
            PipelineBenchmark.Format(LoadBefore), PipelineBenchmark.Format(LoadAfter), heldOut, NeitherBusySecondsPerStep * 1000);
    }

    /// <summary>The run as a flat JSON-friendly map (part of the final line's <c>runs</c>).</summary>
    public IReadOnlyDictionary<string, object?> ToJson() => new Dictionary<string, object?>
    {
        ["name"] = Name,
        ["repeat"] = Repeat + 1,
        ["max_staleness"] = MaxStaleness,
        ["torch_threads"] = TorchThreads,
        ["samples_per_s"] = Math.Round(SamplesPerSecond, 3),
        ["window_s"] = Math.Round(WindowSeconds, 3),
        ["cpu_cores"] = Math.Round(CpuCoresUsed, 3),
        ["generate_s_per_step"] = Math.Round(GenerateSecondsPerStep, 4),
        ["train_s_per_step"] = Math.Round(TrainSecondsPerStep, 4),
        ["neither_busy_s_per_step"] = Math.Round(NeitherBusySecondsPerStep, 5),
        ["learner_idle"] = Math.Round(LearnerIdle, 4),
        ["rollout_idle"] = Math.Round(RolloutIdle, 4),
        ["final_reward"] = Math.Round(FinalReward, 4),
        ["step_rewards"] = StepRewards.Select(r => Math.Round(r, 3)).ToArray(),
        ["requeued"] = Requeued,
        ["load_before"] = LoadBefore,
        ["load_after"] = LoadAfter,
    };
}
