using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// LUFFY's policy shaping f(p) = p / (p + Gamma), Gamma = 0.1 (<c>off_policy_reshape="p_div_p_0.1"</c>): the gradient
/// weight becomes Gamma * p / (p + Gamma)^2, which lifts low-probability expert tokens. Name <c>policy-shaping</c>.
/// </summary>
public sealed record PolicyShaping(double Gamma = 0.1) : ILikelihoodShaping
{
    public string Name => "policy-shaping";

    public Tensor Apply(Tensor ratio)
    {
        using var scope = NewDisposeScope();
        return (ratio / (ratio + Gamma)).MoveToOuterDisposeScope();
    }
}
