using Hpt.Tasks;

namespace Hpt.Training.Engines;

/// <summary>The verifiable reward of one response to a problem (1 = correct). May be slow or hang: callers bound it.</summary>
public interface IRewardScorer
{
    double Score(Problem problem, string response);
}
