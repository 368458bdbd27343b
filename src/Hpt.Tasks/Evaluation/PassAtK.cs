namespace Hpt.Tasks.Evaluation;

/// <summary>
/// The unbiased pass@k estimator of Chen et al. 2021 (Codex): with n samples of which c are correct,
/// pass@k = 1 - C(n-c, k) / C(n, k), computed in the numerically stable product form
/// 1 - prod_{i=n-c+1..n} (1 - k/i) (no binomials, no overflow for n up to thousands).
/// </summary>
public static class PassAtK
{
    /// <summary>Unbiased pass@k for one problem; requires 0 &lt;= c &lt;= n and 1 &lt;= k &lt;= n.</summary>
    public static double Unbiased(int n, int c, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(c, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        if (n - c < k) return 1.0;
        var failAll = 1.0;
        for (var i = n - c + 1; i <= n; i++) failAll *= 1.0 - (double)k / i;
        return 1.0 - failAll;
    }

    /// <summary>
    /// pass@k for k = 1..n (index k-1) for one problem, in O(n): the miss probability C(n-c,k)/C(n,k) follows
    /// miss(k+1) = miss(k) * (n-c-k)/(n-k), a product of factors in [0, 1] (stable like the single-k form).
    /// </summary>
    public static double[] Curve(int n, int c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(c, n);
        var curve = new double[n];
        var miss = 1.0;
        for (var k = 1; k <= n; k++)
        {
            miss = n - c - (k - 1) <= 0 ? 0.0 : miss * (n - c - (k - 1)) / (n - (k - 1));
            curve[k - 1] = 1.0 - miss;
        }
        return curve;
    }

    /// <summary>Mean pass@k over problems for k = 1..n, given each problem's correct count out of n samples.</summary>
    public static double[] MeanCurve(int n, IReadOnlyList<int> correctCounts)
    {
        var mean = new double[n];
        if (correctCounts.Count == 0) return mean;
        foreach (var c in correctCounts)
        {
            var curve = Curve(n, c);
            for (var k = 0; k < n; k++) mean[k] += curve[k];
        }
        for (var k = 0; k < n; k++) mean[k] /= correctCounts.Count;
        return mean;
    }
}
