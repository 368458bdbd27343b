using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>No mask: J = A * r (SFT, REINFORCE, and the official HPT/LUFFY code, which removes the clip). Name <c>none</c>.</summary>
public sealed record NoMask : IStabilizationMask
{
    public string Name => "none";

    public Tensor Objective(Tensor ratio, Tensor logRatio, Tensor advantage) => ratio * advantage;

    public Tensor Clipped(Tensor ratio, Tensor advantage) => zeros_like(ratio, dtype: ScalarType.Bool);
}
