using Hpt.Core.Configuration;
using Hpt.Core.Tests.Upge.Support;

namespace Hpt.Core.Tests.Upge;

/// <summary>The decoupled objective of asynchronous RL (AReaL) as the UPGE loss runs it: behaviour weight min(pi_prox / pi_behaviour, C).</summary>
public sealed class DecoupledObjectiveTests
{
    private static Scenario Batch(bool behaviourIsProximal)
    {
        var s = Scenario.FromRows([new(0, 0.7, 1, 0), new(1, -0.4, 1, 0), new(2, 1.1, 1, 0)], seed: 13);
        if (behaviourIsProximal)
            for (var b = 0; b < s.Rows; b++)
                for (var t = 0; t < s.T; t++)
                    s.Behaviour[b, t] = s.Old[b, t];
        return s;
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("hpt")]
    [InlineData("hpt-official")]
    [InlineData("cispo")]
    public void Decoupled_objective_on_fresh_samples_is_exactly_the_synchronous_loss(string preset)
    {
        var s = Batch(behaviourIsProximal: true);
        var plain = AlgorithmPresets.Get(preset) with { OffPolicyCorrection = OffPolicyCorrectionKind.Off };
        var off = Gradients.Library(AlgorithmFactory.Loss(plain), s);
        var on = Gradients.Library(AlgorithmFactory.Loss(plain with { OffPolicyCorrection = OffPolicyCorrectionKind.On }), s);
        Assert.Equal(off.Loss, on.Loss);
        Assert.Equal(off.LogProbGrad, on.LogProbGrad);
        Assert.Equal(0, on.Metrics.TisTruncatedFraction);
    }

    [Fact]
    public void Decoupled_objective_weights_each_stale_token_by_the_truncated_proximal_behaviour_ratio()
    {
        var s = Batch(behaviourIsProximal: false);
        var config = AlgorithmPresets.Grpo with { OffPolicyCorrection = OffPolicyCorrectionKind.On, TisCap = 1.05 };
        var run = Gradients.Library(AlgorithmFactory.Loss(config), s);
        var expected = Gradients.FiniteDifference(lp => Reference.Grpo(s, lp, 0.2, 0.2,
            (b, t) => Math.Min(Math.Exp(s.Old[b, t] - s.Behaviour[b, t]), 1.05)), s);
        Gradients.AssertClose(expected, run.LogProbGrad);
        Assert.InRange(run.Metrics.TisTruncatedFraction, 0.01, 0.99);
    }
}
