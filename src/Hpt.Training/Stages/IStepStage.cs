using Hpt.Training.Engines;

namespace Hpt.Training.Stages;

/// <summary>
/// A step-level part of an algorithm: it needs every row of the step at once (REINFORCE++'s batch whitening), so
/// no per-prompt gate can run it. The trainer applies an algorithm's stages in order before any tensor exists.
/// </summary>
public interface IStepStage
{
    string Name { get; }

    IReadOnlyList<StepPrompt> Apply(IReadOnlyList<StepPrompt> batch);
}
