namespace Hpt.Tasks.Builtin;

/// <summary>
/// A generated task with expert demonstrations and its own 0/1 reward. Sized for tiny character-level models:
/// prompts and responses are tens of characters over digits, + - * / = ( ), letters, space and newline.
/// </summary>
public interface IVerifiableTask
{
    string Name { get; }

    /// <summary>
    /// <paramref name="count"/> distinct problems from <paramref name="split"/>, the same for the same seed. Each has
    /// a worked demonstration that scores 1 under <see cref="Reward"/>.
    /// </summary>
    IReadOnlyList<Problem> Generate(int count, int seed, TaskSplit split = TaskSplit.Train);

    /// <summary>1 when <paramref name="response"/> solves <paramref name="problem"/>, else 0; never throws on garbage.</summary>
    double Reward(Problem problem, string? response);
}
