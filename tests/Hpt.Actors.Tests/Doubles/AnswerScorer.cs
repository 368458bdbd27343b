using Hpt.Actors.Engines;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Tests.Doubles;

/// <summary>Reward 1 when the response is exactly the prompt's answer.</summary>
public sealed class AnswerScorer : IRewardScorer
{
    public double Score(PromptWork work, string response) => response == work.Answer ? 1 : 0;
}
