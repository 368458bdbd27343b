using Hpt.Actors.Protocol;

namespace Hpt.Actors.Engines;

/// <summary>The verifiable reward of one response to a prompt (1 = correct). May be slow or hang: callers bound it.</summary>
public interface IRewardScorer
{
    double Score(PromptWork work, string response);
}
