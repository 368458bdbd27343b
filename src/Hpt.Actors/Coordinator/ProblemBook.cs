using Hpt.Actors.Protocol;
using Hpt.Tasks;

namespace Hpt.Actors.Coordinator;

/// <summary>
/// The run's problems in its data order (<see cref="DataOrder"/>): what prompt seq s poses, with its gold answer and
/// demonstration. Held by the learner/verifier side only (the coordinator, which issues prompts, and the verifiers,
/// which score them); the rollout side gets <see cref="Work"/>, which holds neither (issue 22: gold answers never leave
/// that side). Both sides build it from the same data and seed, so seq s names the same problem on every node.
/// </summary>
public sealed class ProblemBook(IReadOnlyList<Problem> problems, int seed)
{
    private readonly DataOrder _order = new(problems.Count, seed);

    public int Count => problems.Count;

    /// <summary>The problem prompt <paramref name="seq"/> poses.</summary>
    public Problem At(long seq) => problems[_order.Locate(seq).Index];

    /// <summary>What a rollout worker is given for prompt <paramref name="seq"/>: its place and its prompt, no answer.</summary>
    public PromptWork Work(long seq)
    {
        var (epoch, index) = _order.Locate(seq);
        var p = problems[index];
        return new PromptWork(seq, epoch, p.Id, p.Prompt);
    }
}
