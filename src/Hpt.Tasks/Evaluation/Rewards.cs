using Hpt.Tasks.Builtin;
using Hpt.Tasks.Verification;

namespace Hpt.Tasks.Evaluation;

/// <summary>Reward functions in the harness's shape: (problem, response) -> 0/1.</summary>
public static class Rewards
{
    /// <summary>The math verifier against <see cref="Problem.Answer"/>.</summary>
    public static Func<Problem, string, double> Math(MathVerifier? verifier = null)
    {
        var v = verifier ?? new MathVerifier();
        return (problem, response) => v.Reward(problem.Answer, response);
    }

    /// <summary>A built-in task's own reward.</summary>
    public static Func<Problem, string, double> For(IVerifiableTask task) => task.Reward;
}
