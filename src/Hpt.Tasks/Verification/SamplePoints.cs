using System.Numerics;

namespace Hpt.Tasks.Verification;

/// <summary>
/// Deterministic values for free variables. Expressions with variables are equal when they agree at every point.
/// Most points are reals (so x and |x| or x^2 and x differ); two are small integers, so sums with symbolic bounds
/// and indexed families (F_{n-k-1}) can be evaluated.
/// </summary>
internal static class SamplePoints
{
    public const int Count = 5;
    private const int RealPoints = 3;

    public static Complex Value(string name, int point)
    {
        var h = Hash(name, point);
        if (point < RealPoints) return 0.6 + 1.8 * ((h >> 11) / (double)(1UL << 53));
        return 2 + (long)(h % 6);
    }

    /// <summary>FNV-1a, stable across processes (string.GetHashCode is randomised per process).</summary>
    private static ulong Hash(string name, int point)
    {
        var h = 14695981039346656037UL;
        foreach (var c in name)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        h ^= (ulong)(point + 1) * 0x9E3779B97F4A7C15UL;
        h *= 1099511628211UL;
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 32;
        return h;
    }
}
