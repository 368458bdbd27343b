namespace Hpt.Core.Configuration;

/// <summary>
/// Typed values of the keys under <c>hpt.algorithm</c>, by key name relative to the section (<c>eps-low</c>,
/// <c>gate.gamma</c>). The HOCON binding implements it (Hpt.Actors' <c>AlgorithmSection</c>); every read of a missing or
/// malformed value fails there with an error that names the key, so an <see cref="AlgorithmKey"/> never parses text.
/// </summary>
public interface IAlgorithmValues
{
    double Number(string key);

    /// <summary>The value, which the source has checked lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    long Integer(string key, long min, long max);

    string Text(string key);

    /// <summary>The value, which the source has checked is one of <paramref name="values"/> (compared ignoring case).</summary>
    string Choice(string key, IReadOnlyList<string> values);
}
