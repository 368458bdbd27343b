namespace Hpt.Actors.Protocol;

/// <summary>
/// One prompt of the data order, as issued by the coordinator. <paramref name="Seq"/> is its position in the run's
/// data order (unique over the whole run, epochs included), so it identifies the prompt in every later message.
/// </summary>
public sealed record PromptWork(long Seq, int Epoch, string ProblemId, string Prompt, string Answer, string? Demonstration)
    : IPipelineMessage
{
    /// <summary>The problem this prompt poses, for the reward scorer.</summary>
    public Hpt.Tasks.Problem ToProblem() => new(ProblemId, Prompt, Answer, Demonstration);
}
