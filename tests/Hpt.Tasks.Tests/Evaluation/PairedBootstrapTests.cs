using Hpt.Tasks.Evaluation;

namespace Hpt.Tasks.Tests.Evaluation;

public sealed class PairedBootstrapTests
{
    private static IReadOnlyList<IReadOnlyList<double>> Grid(int seeds, int problems, Func<int, int, double> value) =>
        Enumerable.Range(0, seeds).Select(s => (IReadOnlyList<double>)Enumerable.Range(0, problems).Select(p => value(s, p)).ToArray()).ToArray();

    [Fact]
    public void A_constant_difference_has_a_zero_width_interval_at_that_value()
    {
        var interval = PairedBootstrap.MeanDifference(Grid(5, 40, (_, _) => 0.125));
        Assert.Equal(0.125, interval.Mean, 12);
        Assert.Equal(0.125, interval.Low, 12);
        Assert.Equal(0.125, interval.High, 12);
        Assert.True(interval.ExcludesZero);
    }

    [Fact]
    public void Noise_around_zero_gives_an_interval_that_contains_zero()
    {
        var random = new Random(3);
        var interval = PairedBootstrap.MeanDifference(Grid(5, 100, (_, _) => random.NextDouble() - 0.5));
        Assert.True(interval.Low < 0 && interval.High > 0, $"{interval}");
        Assert.False(interval.ExcludesZero);
    }

    [Fact]
    public void One_seed_matches_the_normal_theory_width_of_a_paired_mean()
    {
        // 400 differences of sd ~1: the 95% interval of the mean is about +-1.96 / 20 = +-0.098 around it.
        var random = new Random(7);
        var d = Grid(1, 400, (_, _) => Normal(random) + 0.3);
        var interval = PairedBootstrap.MeanDifference(d);
        var values = d[0];
        var sd = Math.Sqrt(values.Sum(x => (x - interval.Mean) * (x - interval.Mean)) / (values.Count - 1));
        var expectedHalfWidth = 1.96 * sd / Math.Sqrt(values.Count);
        Assert.InRange((interval.High - interval.Low) / 2, expectedHalfWidth * 0.9, expectedHalfWidth * 1.1);
        Assert.InRange(interval.Mean, interval.Low, interval.High);
        Assert.True(interval.ExcludesZero);
    }

    [Fact]
    public void Seeds_that_disagree_widen_the_interval_even_when_every_problem_agrees_within_a_seed()
    {
        // A bootstrap over problems alone would call this a certain 0; resampling seeds shows it is anything in [-1, 1].
        var interval = PairedBootstrap.MeanDifference(Grid(2, 50, (s, _) => s == 0 ? 1.0 : -1.0));
        Assert.Equal(0.0, interval.Mean, 12);
        Assert.True(interval.Low <= -0.99 && interval.High >= 0.99, $"{interval}");
    }

    [Fact]
    public void A_claim_that_one_seed_carries_does_not_hold()
    {
        // Four seeds see nothing, one sees a large gain: the mean is positive but the interval reaches 0.
        var interval = PairedBootstrap.MeanDifference([0.0, 0.0, 0.0, 0.0, 0.5]);
        Assert.Equal(0.1, interval.Mean, 12);
        Assert.Equal(0.0, interval.Low, 12);
        Assert.False(interval.ExcludesZero);
    }

    [Fact]
    public void The_same_resampling_seed_gives_the_same_interval()
    {
        var random = new Random(11);
        var d = Grid(3, 30, (_, _) => random.NextDouble());
        Assert.Equal(PairedBootstrap.MeanDifference(d, seed: 5), PairedBootstrap.MeanDifference(d, seed: 5));
    }

    [Fact]
    public void Unpaired_or_empty_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => PairedBootstrap.MeanDifference([(IReadOnlyList<double>)[1.0, 2.0], [1.0]]));
        Assert.Throws<ArgumentException>(() => PairedBootstrap.MeanDifference(Array.Empty<IReadOnlyList<double>>()));
        Assert.Throws<ArgumentException>(() => PairedBootstrap.MeanDifference([(IReadOnlyList<double>)[double.NaN]]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedBootstrap.MeanDifference([0.1, 0.2], confidence: 1.0));
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
