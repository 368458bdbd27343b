namespace Hpt.Core.Advantages;

/// <summary>
/// Turns the rewards of one prompt's group into one advantage per group member (the paper's A-hat, Table 1 column 3).
/// Plain C#: the gate calls it once per prompt, before any tensor exists.
/// </summary>
public interface IAdvantageEstimator
{
    /// <summary>The configuration name (<c>algorithm.advantage</c>).</summary>
    string Name { get; }

    /// <summary>
    /// True when the per-group values are raw and must be normalised over the whole training batch afterwards
    /// (<see cref="BatchAdvantageNormalizer"/>), as REINFORCE++ does.
    /// </summary>
    bool RequiresBatchNormalization => false;

    /// <summary>One advantage per reward, same order. A fresh array; an empty group gives an empty array.</summary>
    double[] Compute(IReadOnlyList<double> rewards);
}
