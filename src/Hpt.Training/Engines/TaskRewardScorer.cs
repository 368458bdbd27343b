using Hpt.Tasks;

namespace Hpt.Training.Engines;

/// <summary>The verifiable reward of a task (a built-in task's checker, or the math verifier for data sets).</summary>
public sealed class TaskRewardScorer(Func<Problem, string, double> reward) : IRewardScorer
{
    public double Score(Problem problem, string response) => reward(problem, response);
}
