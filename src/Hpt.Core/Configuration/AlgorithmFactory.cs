using Hpt.Core.Advantages;
using Hpt.Core.Gating;
using Hpt.Core.Training;
using Hpt.Core.Upge;

namespace Hpt.Core.Configuration;

/// <summary>Builds the component objects an <see cref="AlgorithmConfig"/> names. The only place that maps names to types.</summary>
public static class AlgorithmFactory
{
    public static Algorithm Create(AlgorithmConfig config)
    {
        var advantage = Advantage(config);
        return new Algorithm(config, Gate(config, advantage), advantage, Loss(config), GradientGuard(config));
    }

    public static IAdvantageEstimator Advantage(AlgorithmConfig c) => c.Advantage switch
    {
        AdvantageKind.Sft => new ConstantAdvantage(),
        AdvantageKind.Reinforce => new SignedRewardAdvantage(c.SuccessThreshold),
        AdvantageKind.Grpo => new GrpoAdvantage(),
        AdvantageKind.DrGrpo => new DrGrpoAdvantage(),
        AdvantageKind.Rloo => new RlooAdvantage(),
        AdvantageKind.ReinforcePlusPlus => new ReinforcePlusPlusAdvantage(),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Advantage, "advantage"),
    };

    public static IGatePolicy Gate(AlgorithmConfig c, IAdvantageEstimator estimator)
    {
        var g = c.Gate;
        var s = c.SuccessThreshold;
        return g.Policy switch
        {
            GatePolicyKind.Threshold => new ThresholdGate(g.Gamma, estimator, g.ExpertTraining, s),
            GatePolicyKind.CorrectCount => new CorrectCountGate(g.MaxCorrect, estimator, g.ExpertTraining, s),
            GatePolicyKind.Soft => new SoftGate(g.SoftLow, g.SoftHigh, estimator, s),
            GatePolicyKind.ScheduledGamma =>
                new ScheduledGammaGate(g.Gamma, g.GammaEnd, g.ScheduleSteps, estimator, g.ExpertTraining, s),
            GatePolicyKind.TargetRatio =>
                new TargetRatioGate(g.Gamma, g.TargetOfflineRatio, g.AdaptRate, estimator, g.ExpertTraining, s),
            GatePolicyKind.SftThenRl => new SftThenRlGate(g.SwitchStep, estimator, s),
            GatePolicyKind.Sft => new PureSftGate(estimator, s),
            GatePolicyKind.Rl => new PureRlGate(estimator, s),
            GatePolicyKind.Luffy => new LuffyGate(estimator, s),
            GatePolicyKind.Srft => new SrftGate(estimator, s),
            _ => throw new ArgumentOutOfRangeException(nameof(c), g.Policy, "gate policy"),
        };
    }

    public static UpgeLoss Loss(AlgorithmConfig c) => new(Components(c));

    public static UpgeComponents Components(AlgorithmConfig c) => new()
    {
        Denominator = Denominator(c.Denominator),
        Mask = c.Mask switch
        {
            MaskKind.None => new NoMask(),
            MaskKind.PpoClip => new PpoClipMask(c.EpsLow, c.EpsHigh),
            MaskKind.DualClip => new DualClipMask(c.EpsLow, c.EpsHigh, c.DualClipC),
            MaskKind.Cispo => new CispoMask(c.EpsLow, c.EpsHigh),
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.Mask, "mask"),
        },
        // Auto is resolved by the pipeline (AlgorithmConfig.ForPipeline); a loss built without one is synchronous.
        BehaviourCorrection = c.OffPolicyCorrection == OffPolicyCorrectionKind.On ? new TruncatedImportanceSampling(c.TisCap) : null,
        AdvantageShaping = c.AdvantageShaping switch
        {
            AdvantageShapingKind.None => new NoAdvantageShaping(),
            AdvantageShapingKind.SrftEntropy => new SrftEntropyAdvantageShaping(),
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.AdvantageShaping, "advantage shaping"),
        },
        Aggregation = Aggregation(c.Aggregation, c.AggregationConstant ?? AlgorithmConfig.OfficialResponseBudget),
        OfflineDenominator = Denominator(c.OfflineDenominator),
        OfflineShaping = c.Shaping switch
        {
            ShapingKind.None => new IdentityShaping(),
            ShapingKind.PolicyShaping => new PolicyShaping(c.ShapingGamma),
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.Shaping, "shaping"),
        },
        OfflineCoef = c.OfflineCoef,
        SftAggregation = Aggregation(c.SftAggregation, c.AggregationConstant ?? AlgorithmConfig.OfficialResponseBudget),
        SftWeighting = c.SftWeighting switch
        {
            SftWeightingKind.None => new UniformSftWeighting(),
            SftWeightingKind.SrftEntropy => new SrftEntropySftWeighting(),
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.SftWeighting, "SFT weighting"),
        },
        SftCoef = c.SftCoef,
        EntropyCoef = c.EntropyCoef,
        Kl = c.Kl,
        KlCoef = c.KlCoef,
    };

    public static GradientGuard GradientGuard(AlgorithmConfig c) => new(c.GradClip, c.SkipGradNormAbove);

    private static IReferenceDenominator Denominator(DenominatorKind kind) => kind switch
    {
        DenominatorKind.Current => new CurrentPolicyDenominator(),
        DenominatorKind.Old => new OldPolicyDenominator(),
        DenominatorKind.One => new UnitDenominator(),
        DenominatorKind.GspoSequence => new GspoSequenceDenominator(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "denominator"),
    };

    private static ILossAggregation Aggregation(AggregationKind kind, double constant) => kind switch
    {
        AggregationKind.TokenMean => new TokenMeanAggregation(),
        AggregationKind.SeqMeanTokenMean => new SequenceMeanTokenMeanAggregation(),
        AggregationKind.SeqMeanTokenSum => new SequenceMeanTokenSumAggregation(constant),
        AggregationKind.TokenSum => new TokenSumAggregation(constant),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "aggregation"),
    };
}
