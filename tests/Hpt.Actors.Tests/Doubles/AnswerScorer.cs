using Hpt.Training.Engines;
using Hpt.Tasks;

namespace Hpt.Actors.Tests.Doubles;

/// <summary>Reward 1 when the response is exactly the prompt's answer.</summary>
public sealed class AnswerScorer : IRewardScorer
{
    public double Score(Problem problem, string response) => response == problem.Answer ? 1 : 0;
}
