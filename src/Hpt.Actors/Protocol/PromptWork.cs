namespace Hpt.Actors.Protocol;

/// <summary>
/// One prompt of the data order, as the rollout side sees it. <paramref name="Seq"/> is its position in the run's data
/// order (unique over the whole run, epochs included), so it identifies the prompt in every later message. No gold
/// answer and no demonstration: those stay on the learner/verifier side, which looks them up by seq
/// (<see cref="Coordinator.ProblemBook"/>).
/// </summary>
public sealed record PromptWork(long Seq, int Epoch, string ProblemId, string Prompt) : IPipelineMessage;
