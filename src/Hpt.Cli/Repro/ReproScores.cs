using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Repro;

/// <summary>Per-problem scores of an evaluation, the unit that paired differences and means are taken over.</summary>
public static class ReproScores
{
    /// <summary>The problem's share of correct samples (its avg@n).</summary>
    public static double[] Average(ReproEvalResult e) => e.CorrectCounts.Select(c => c / (double)e.Samples).ToArray();

    /// <summary>The problem's unbiased pass@k from its n samples.</summary>
    public static double[] PassAt(ReproEvalResult e, int k) => e.CorrectCounts.Select(c => PassAtK.Unbiased(e.Samples, c, k)).ToArray();

    /// <summary>k = 1, 4, 16, 64, 256 ... up to n, and n itself.</summary>
    public static IReadOnlyList<int> Ks(int n)
    {
        var ks = new List<int>();
        for (var k = 1; k <= n; k *= 4) ks.Add(k);
        if (ks[^1] != n) ks.Add(n);
        return ks;
    }

    /// <summary>Mean of a training-curve metric over the steps in [from, to) as fractions of the run.</summary>
    public static double Window(IReadOnlyList<Hpt.Actors.Protocol.StepMetrics> steps, double from, double to, Func<Hpt.Actors.Protocol.StepMetrics, double> metric)
    {
        if (steps.Count == 0) return double.NaN;
        var start = (int)Math.Floor(steps.Count * from);
        var end = Math.Max(start + 1, (int)Math.Ceiling(steps.Count * to));
        return steps.Skip(start).Take(end - start).Average(metric);
    }
}
