using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hpt.Core.Training;

/// <summary>
/// The official code's step rule: clip the gradient to <paramref name="ClipNorm"/> (1.0), then skip the update when
/// the pre-clip norm is not finite, or above <paramref name="SkipAbove"/> (80 in the Qwen-7B script; 0 = never).
/// <see cref="Judge"/> is the pure rule; <see cref="ClipAndJudge"/> also does the clipping.
/// </summary>
public sealed record GradientGuard(double ClipNorm = 1.0, double SkipAbove = 0.0)
{
    public GradientVerdict Judge(double preClipNorm)
    {
        if (!double.IsFinite(preClipNorm))
        {
            return GradientVerdict.SkipNonFinite;
        }
        return SkipAbove > 0 && preClipNorm > SkipAbove ? GradientVerdict.SkipTooLarge : GradientVerdict.Step;
    }

    /// <summary>
    /// Clips the parameters' gradients in place (ClipNorm &lt;= 0: measure only) and judges the pre-clip norm.
    /// On a skip verdict the caller zeroes the gradients and does not step.
    /// </summary>
    public GradientCheck ClipAndJudge(IEnumerable<Parameter> parameters)
    {
        var maxNorm = ClipNorm > 0 ? ClipNorm : double.PositiveInfinity;
        var norm = nn.utils.clip_grad_norm_(parameters, maxNorm);
        return new GradientCheck(norm, Judge(norm));
    }
}
