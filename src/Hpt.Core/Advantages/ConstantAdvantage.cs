namespace Hpt.Core.Advantages;

/// <summary>SFT's advantage: identically 1 (Table 1, row SFT). Name <c>sft</c>.</summary>
public sealed record ConstantAdvantage : IAdvantageEstimator
{
    public string Name => "sft";

    public double[] Compute(IReadOnlyList<double> rewards)
    {
        var result = new double[rewards.Count];
        Array.Fill(result, 1.0);
        return result;
    }
}
