using System.Globalization;
using System.Text.RegularExpressions;
using Hpt.Actors.Protocol;
using Hpt.Cli.Reporting;

namespace Hpt.Cli.Repro;

/// <summary>
/// One trained run of the regime as tools/repro.sh leaves it: runs/STRENGTH-ALGORITHM-lrRATE-sSEED/ with its step
/// metrics and the repro-{validation,id,ood}.json evaluations it has.
/// </summary>
public sealed partial record ReproRun(string Strength, string Algorithm, string LearningRate, int Seed, string Directory,
    IReadOnlyDictionary<string, ReproEvalResult> Evals, IReadOnlyList<StepMetrics> Steps)
{
    [GeneratedRegex(@"^(?<strength>[a-z0-9]+)-(?<algorithm>.+)-lr(?<lr>[^/]+)-s(?<seed>\d+)$")]
    private static partial Regex NamePattern();

    /// <summary>Every run folder under ROOT/runs whose name follows the driver's pattern (unfinished ones included).</summary>
    public static IReadOnlyList<ReproRun> LoadAll(string root)
    {
        var runs = Path.Combine(root, "runs");
        if (!System.IO.Directory.Exists(runs)) return [];
        var list = new List<ReproRun>();
        foreach (var dir in System.IO.Directory.GetDirectories(runs).Order(StringComparer.Ordinal))
        {
            var m = NamePattern().Match(Path.GetFileName(dir));
            if (!m.Success || !File.Exists(Path.Combine(dir, "done"))) continue;
            list.Add(new ReproRun(m.Groups["strength"].Value, m.Groups["algorithm"].Value, m.Groups["lr"].Value,
                int.Parse(m.Groups["seed"].Value, CultureInfo.InvariantCulture), dir, ReadEvals(dir), MetricsLog.ReadMetrics(dir)));
        }
        return list;
    }

    public static IReadOnlyDictionary<string, ReproEvalResult> ReadEvals(string folder)
    {
        var evals = new Dictionary<string, ReproEvalResult>();
        foreach (var split in ReproSplit.Names)
        {
            var file = Path.Combine(folder, $"repro-{split}.json");
            if (File.Exists(file)) evals[split] = ReproEvalResult.Read(file);
        }
        return evals;
    }
}
