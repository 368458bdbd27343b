using Hpt.Core.Advantages;
using Hpt.Training.Engines;

namespace Hpt.Training.Stages;

/// <summary>
/// REINFORCE++ (and the critic-free ppo-clip preset): the rollout rows' advantages whitened over the whole step
/// (<see cref="BatchAdvantageNormalizer.Whiten"/>). Expert rows keep theirs. Name <c>batch-whitening</c>.
/// </summary>
public sealed class BatchAdvantageWhitening : IStepStage
{
    public string Name => "batch-whitening";

    public IReadOnlyList<StepPrompt> Apply(IReadOnlyList<StepPrompt> batch)
    {
        var raw = batch.SelectMany(p => p.Rows).Where(r => !r.IsExpert).Select(r => r.Advantage).ToArray();
        var whitened = BatchAdvantageNormalizer.Whiten(raw);
        var next = 0;
        return batch
            .Select(p => p with
            {
                Rows = p.Rows.Select(r => r.IsExpert ? r : r with { Advantage = whitened[next++] }).ToArray(),
            })
            .ToArray();
    }
}
