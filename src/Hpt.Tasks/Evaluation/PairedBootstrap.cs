namespace Hpt.Tasks.Evaluation;

/// <summary>
/// A percentile bootstrap interval for the mean of paired differences in a crossed design: every seed scores the same
/// problems, so d[seed][problem] = score of method A minus score of method B on that problem, with both methods of a
/// seed started from the same base. Each resample draws seeds with replacement and, independently, problems with
/// replacement (the same problem draw for every seed), so both the seed-to-seed spread of training and the choice of
/// problems widen the interval. With one seed it is the ordinary paired bootstrap over problems.
/// </summary>
public static class PairedBootstrap
{
    public const int DefaultResamples = 10_000;

    /// <summary>The observed mean difference and its (1 - alpha) percentile interval.</summary>
    public sealed record Interval(double Mean, double Low, double High)
    {
        /// <summary>The claim "A differs from B" holds only when the interval leaves 0 out.</summary>
        public bool ExcludesZero => Low > 0 || High < 0;
    }

    /// <param name="differences">differences[seed][problem]; every seed must have the same problems.</param>
    /// <param name="seed">Seed of the resampling, so a report is reproducible.</param>
    public static Interval MeanDifference(IReadOnlyList<IReadOnlyList<double>> differences, int resamples = DefaultResamples,
        double confidence = 0.95, int seed = 20_250_904)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 100);
        if (confidence is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "must be in (0, 1)");
        if (differences.Count == 0) throw new ArgumentException("no seeds", nameof(differences));
        var problems = differences[0].Count;
        if (problems == 0) throw new ArgumentException("no problems", nameof(differences));
        if (differences.Any(d => d.Count != problems))
            throw new ArgumentException("every seed must score the same problems (paired differences)", nameof(differences));
        foreach (var row in differences)
            if (row.Any(x => !double.IsFinite(x))) throw new ArgumentException("differences must be finite", nameof(differences));

        var seeds = differences.Count;
        var mean = differences.Sum(row => row.Sum()) / (seeds * (double)problems);
        var random = new Random(seed);
        var means = new double[resamples];
        var seedDraw = new int[seeds];
        var problemDraw = new int[problems];
        for (var b = 0; b < resamples; b++)
        {
            for (var i = 0; i < seeds; i++) seedDraw[i] = random.Next(seeds);
            for (var j = 0; j < problems; j++) problemDraw[j] = random.Next(problems);
            var sum = 0.0;
            foreach (var s in seedDraw)
            {
                var row = differences[s];
                foreach (var p in problemDraw) sum += row[p];
            }
            means[b] = sum / (seeds * (double)problems);
        }
        Array.Sort(means);
        var alpha = (1 - confidence) / 2;
        return new Interval(mean, Quantile(means, alpha), Quantile(means, 1 - alpha));
    }

    /// <summary>The same interval for one number per seed (a training-curve statistic such as late entropy).</summary>
    public static Interval MeanDifference(IReadOnlyList<double> perSeedDifferences, int resamples = DefaultResamples, double confidence = 0.95,
        int seed = 20_250_904) =>
        MeanDifference(perSeedDifferences.Select(d => (IReadOnlyList<double>)[d]).ToArray(), resamples, confidence, seed);

    /// <summary>Linear interpolation between order statistics (type 7, numpy's default).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
