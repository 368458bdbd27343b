using Hpt.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hpt.Core.Tests.Training;

public sealed class GradientGuardTests
{
    [Theory]
    [InlineData(double.NaN, GradientVerdict.SkipNonFinite)]
    [InlineData(double.PositiveInfinity, GradientVerdict.SkipNonFinite)]
    [InlineData(80.5, GradientVerdict.SkipTooLarge)]
    [InlineData(80.0, GradientVerdict.Step)]
    [InlineData(0.3, GradientVerdict.Step)]
    public void Official_skip_rule_skips_non_finite_norms_and_norms_above_eighty(double norm, GradientVerdict verdict)
    {
        Assert.Equal(verdict, new GradientGuard(1.0, 80).Judge(norm));
    }

    [Fact]
    public void Guard_without_threshold_never_skips_a_finite_norm()
    {
        Assert.Equal(GradientVerdict.Step, new GradientGuard(1.0, 0).Judge(1e12));
        Assert.Equal(GradientVerdict.SkipNonFinite, new GradientGuard(1.0, 0).Judge(double.NaN));
    }

    [Fact]
    public void Clip_and_judge_reports_pre_clip_norm_and_clips_to_the_limit()
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(zeros(2, dtype: ScalarType.Float64));
        p.grad = tensor(new[] { 3.0, 4.0 }, dtype: ScalarType.Float64);
        var check = new GradientGuard(1.0, 80).ClipAndJudge([p]);
        Assert.Equal(5.0, check.Norm, 9);
        Assert.Equal(GradientVerdict.Step, check.Verdict);
        Assert.Equal(0.6, p.grad!.data<double>()[0], 5);
        Assert.Equal(0.8, p.grad!.data<double>()[1], 5);
    }
}
