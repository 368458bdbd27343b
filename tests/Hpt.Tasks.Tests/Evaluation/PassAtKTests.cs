using Hpt.Tasks.Evaluation;

namespace Hpt.Tasks.Tests.Evaluation;

public sealed class PassAtKTests
{
    /// <summary>pass@k by enumeration: the share of all k-subsets of the n samples that contain a correct one.</summary>
    private static double BruteForce(int n, int c, int k)
    {
        var hit = 0L;
        var total = 0L;
        for (var mask = 0; mask < 1 << n; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
            total++;
            if ((mask & ((1 << c) - 1)) != 0) hit++; // samples 0..c-1 are the correct ones
        }
        return (double)hit / total;
    }

    [Fact]
    public void UnbiasedEstimatorMatchesEnumerationForSmallN()
    {
        for (var n = 1; n <= 10; n++)
        for (var c = 0; c <= n; c++)
        for (var k = 1; k <= n; k++)
            Assert.Equal(BruteForce(n, c, k), PassAtK.Unbiased(n, c, k), 12);
    }

    /// <summary>1 - C(n-c, k) / C(n, k) in exact integers, then one division: an independent reference for large n.</summary>
    private static double ExactBinomial(int n, int c, int k)
    {
        static System.Numerics.BigInteger Choose(int a, int b)
        {
            if (b < 0 || b > a) return System.Numerics.BigInteger.Zero;
            var r = System.Numerics.BigInteger.One;
            for (var i = 1; i <= b; i++) r = r * (a - b + i) / i;
            return r;
        }
        var miss = Choose(n - c, k);
        var all = Choose(n, k);
        // Scale before dividing so the quotient keeps about 60 significant bits.
        var scaled = miss * System.Numerics.BigInteger.Pow(2, 60) / all;
        return 1.0 - (double)scaled / Math.Pow(2, 60);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(128)]
    [InlineData(255)]
    public void At_256_samples_every_k_up_to_256_matches_exact_binomials(int c)
    {
        // The regime's setting (docs/results.md): pass@k for k up to 256 from n = 256 samples.
        const int n = 256;
        var curve = PassAtK.Curve(n, c);
        for (var k = 1; k <= n; k++)
        {
            var exact = ExactBinomial(n, c, k);
            Assert.Equal(exact, PassAtK.Unbiased(n, c, k), 12);
            Assert.Equal(exact, curve[k - 1], 12);
        }
        Assert.Equal(c / 256.0, curve[0], 12);
        Assert.Equal(1.0, curve[^1], 12);
    }

    [Fact]
    public void CurveAgreesWithTheSingleKEstimatorUpTo1024Samples()
    {
        foreach (var (n, c) in new[] { (1, 0), (1, 1), (7, 3), (64, 1), (1024, 0), (1024, 5), (1024, 517), (1024, 1024) })
        {
            var curve = PassAtK.Curve(n, c);
            for (var k = 1; k <= n; k++) Assert.Equal(PassAtK.Unbiased(n, c, k), curve[k - 1], 10);
        }
    }

    [Fact]
    public void PassAtOneIsTheCorrectFractionAndPassAtNIsAnyCorrect()
    {
        Assert.Equal(0.25, PassAtK.Unbiased(1024, 256, 1), 12);
        Assert.Equal(1.0, PassAtK.Unbiased(1024, 1, 1024));
        Assert.Equal(0.0, PassAtK.Unbiased(1024, 0, 1024));
    }

    [Fact]
    public void CurveForLargeNIsFiniteMonotoneAndInRange()
    {
        var curve = PassAtK.Curve(1024, 3);
        Assert.Equal(1024, curve.Length);
        Assert.All(curve, v => Assert.InRange(v, 0.0, 1.0));
        for (var k = 1; k < curve.Length; k++) Assert.True(curve[k] >= curve[k - 1]);
        Assert.Equal(1.0, curve[^1]);
    }

    [Fact]
    public void MeanCurveAveragesProblems()
    {
        var mean = PassAtK.MeanCurve(4, [0, 4, 2]);
        Assert.Equal((0 + 1 + 0.5) / 3, mean[0], 12);
        Assert.Equal((0 + 1 + 1) / 3.0, mean[3], 12);
    }
}
