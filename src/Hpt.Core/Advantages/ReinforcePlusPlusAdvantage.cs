namespace Hpt.Core.Advantages;

/// <summary>
/// REINFORCE++ (Hu 2025): the raw reward per rollout, no group baseline; the whole training batch is then whitened by
/// <see cref="BatchAdvantageNormalizer"/> (the caller does that once per step). Name <c>reinforce++</c>.
/// </summary>
public sealed record ReinforcePlusPlusAdvantage : IAdvantageEstimator
{
    public string Name => "reinforce++";

    public bool RequiresBatchNormalization => true;

    public double[] Compute(IReadOnlyList<double> rewards) => rewards.ToArray();
}
