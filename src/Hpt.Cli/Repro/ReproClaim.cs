using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Repro;

/// <summary>
/// One tested statement "A minus B is positive" with its paired 95% bootstrap interval: it holds only when the
/// interval lies above 0, is contradicted when it lies below, and is not shown otherwise. A per-seed statistic
/// (<see cref="Problems"/> = 0, e.g. late entropy) from a single seed has no spread to resample: it is untested.
/// </summary>
public sealed record ReproClaim(string Claim, string Comparison, string Metric, PairedBootstrap.Interval Interval, int Seeds, int Problems)
{
    public string Verdict => Problems == 0 && Seeds < 2 ? "untested (one seed)"
        : Interval.Low > 0 ? "holds" : Interval.High < 0 ? "contradicted" : "not shown";
}
