using Hpt.Core.Configuration;

namespace Hpt.Training.Stages;

/// <summary>The step-level stages an algorithm declares, in the order the trainer runs them.</summary>
public static class StepStages
{
    public static IReadOnlyList<IStepStage> For(Algorithm algorithm)
    {
        var stages = new List<IStepStage>();
        if (algorithm.Advantage.RequiresBatchNormalization) stages.Add(new BatchAdvantageWhitening());
        return stages;
    }
}
