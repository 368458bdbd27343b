using Hpt.Core.Upge;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Core.Tests.Upge.Support;

/// <summary>Runs the library loss (autograd) and a reference loss (central finite differences) on a scenario.</summary>
internal static class Gradients
{
    public sealed record LibraryRun(double Loss, double[,] LogProbGrad, double[,] EntropyGrad, LossMetrics Metrics);

    public static LibraryRun Library(UpgeLoss loss, Scenario s)
    {
        using var scope = NewDisposeScope();
        var batch = s.ToBatch();
        using var result = loss.Compute(batch);
        result.Loss.backward();
        return new LibraryRun(result.Loss.item<double>(), ToArray(batch.LogProbs.grad, s),
            ToArray(batch.Entropy!.grad, s), result.Metrics);
    }

    /// <summary>d reference / d logp at every real position; padded positions are 0 (the reference never reads them).</summary>
    public static double[,] FiniteDifference(Func<double[,], double> reference, Scenario s, double h = 1e-6)
    {
        var grad = new double[s.Rows, s.T];
        var x = (double[,])s.LogP.Clone();
        for (var b = 0; b < s.Rows; b++)
        {
            for (var t = 0; t < s.Length[b]; t++)
            {
                var keep = x[b, t];
                x[b, t] = keep + h;
                var up = reference(x);
                x[b, t] = keep - h;
                var down = reference(x);
                x[b, t] = keep;
                grad[b, t] = (up - down) / (2 * h);
            }
        }
        return grad;
    }

    /// <summary>Element-wise closeness, with a tolerance scaled to the largest expected entry.</summary>
    public static void AssertClose(double[,] expected, double[,] actual, double relative = 1e-5)
    {
        var scale = 0.0;
        foreach (var e in expected)
        {
            scale = Math.Max(scale, Math.Abs(e));
        }
        var tolerance = 1e-9 + relative * scale;
        for (var b = 0; b < expected.GetLength(0); b++)
        {
            for (var t = 0; t < expected.GetLength(1); t++)
            {
                Assert.False(double.IsNaN(actual[b, t]), $"NaN gradient at [{b},{t}]");
                Assert.True(Math.Abs(expected[b, t] - actual[b, t]) <= tolerance,
                    $"gradient [{b},{t}]: expected {expected[b, t]:R}, got {actual[b, t]:R} (tolerance {tolerance:E2})");
            }
        }
    }

    /// <summary>At least one gradient entry is non-zero: guards against a test that compares 0 with 0.</summary>
    public static void AssertNonTrivial(double[,] grad)
    {
        var any = false;
        foreach (var g in grad)
        {
            any |= Math.Abs(g) > 1e-12;
        }
        Assert.True(any, "every gradient entry is 0; the scenario does not exercise the loss");
    }

    private static double[,] ToArray(Tensor? grad, Scenario s)
    {
        var result = new double[s.Rows, s.T];
        if (grad is null)
        {
            return result;
        }
        var flat = grad.contiguous().data<double>().ToArray();
        for (var b = 0; b < s.Rows; b++)
        {
            for (var t = 0; t < s.T; t++)
            {
                result[b, t] = flat[b * s.T + t];
            }
        }
        return result;
    }
}
