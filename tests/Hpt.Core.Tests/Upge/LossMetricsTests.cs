using Hpt.Core.Configuration;
using Hpt.Core.Gating;
using Hpt.Core.Tests.Upge.Support;

namespace Hpt.Core.Tests.Upge;

public sealed class LossMetricsTests
{
    [Fact]
    public void Metrics_report_ratio_statistics_clip_fraction_and_mismatch_kl_of_rollout_tokens()
    {
        TrainingRow[] rows =
        [
            new(0, 0.8, 1, 0), new(1, -0.6, 1, 0), new(2, 1.2, 1, 0), new(3, -0.9, 1, 0), new(null, 0, 0, 1),
        ];
        var s = Scenario.FromRows(rows, t: 6, seed: 17);
        var metrics = Gradients.Library(AlgorithmFactory.Loss(AlgorithmPresets.PpoClip), s).Metrics;

        double n = 0, sum = 0, min = double.MaxValue, max = double.MinValue, clipped = 0, kl = 0, all = 0, sft = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            for (var t = 0; t < s.Length[b]; t++)
            {
                all++;
                if (s.IsExpert[b])
                {
                    sft++;
                    continue;
                }
                var r = Math.Exp(s.LogP[b, t] - s.Old[b, t]);
                var a = s.Advantage[b];
                n++;
                sum += r;
                min = Math.Min(min, r);
                max = Math.Max(max, r);
                clipped += (a > 0 && r > 1.2) || (a < 0 && r < 0.8) ? 1 : 0;
                var d = s.Old[b, t] - s.Behaviour[b, t];
                kl += Math.Exp(d) - 1 - d;
            }
        }
        Assert.Equal(sum / n, metrics.RatioMean, 12);
        Assert.Equal(min, metrics.RatioMin, 12);
        Assert.Equal(max, metrics.RatioMax, 12);
        Assert.Equal(clipped / n, metrics.ClipFraction, 12);
        Assert.InRange(metrics.ClipFraction, 1e-9, 1 - 1e-9);
        Assert.Equal(kl / n, metrics.MismatchKl, 12);
        Assert.Equal(n, metrics.OnPolicyTokens);
        Assert.Equal(sft, metrics.SftTokens);
        Assert.Equal(all, metrics.AllTokens);
        Assert.Equal(all / s.Rows, metrics.MeanResponseLength, 12);
        Assert.Equal(4, metrics.OnPolicyRows);
        Assert.Equal(1, metrics.ExpertRows);
        Assert.Equal(0.2, metrics.OfflineRowFraction, 12);
        Assert.Equal(metrics.RlLoss + metrics.SftLoss, metrics.Loss, 12);
    }
}
