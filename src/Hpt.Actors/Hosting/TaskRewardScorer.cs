using Hpt.Actors.Engines;
using Hpt.Actors.Protocol;
using Hpt.Tasks;

namespace Hpt.Actors.Hosting;

/// <summary>The verifiable reward of a task (a built-in task's checker, or the math verifier for data sets).</summary>
public sealed class TaskRewardScorer(Func<Problem, string, double> reward) : IRewardScorer
{
    public double Score(PromptWork work, string response) =>
        reward(new Problem(work.ProblemId, work.Prompt, work.Answer, work.Demonstration), response);
}
