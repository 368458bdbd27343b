namespace Hpt.Training.Engines;

/// <summary>
/// A rollout engine that keeps several prompts in flight (continuous batching). The caller submits prompts as they
/// arrive and calls <see cref="Step"/> repeatedly; between two steps it may load a new policy (the next tokens carry
/// the new version) or submit more prompts. <see cref="IRolloutEngine.Generate"/> still works, one prompt at a time.
/// </summary>
public interface IContinuousRolloutEngine : IRolloutEngine
{
    /// <summary>Prompts the caller should keep submitted and unfinished to keep every slot busy.</summary>
    int PromptCapacity { get; }

    /// <summary>True while a submitted prompt is unfinished.</summary>
    bool HasWork { get; }

    /// <summary>Queues a prompt's samples; they start as slots free up. One request per <see cref="RolloutRequest.Seq"/> at a time.</summary>
    void Submit(RolloutRequest request);

    /// <summary>One scheduling step (admit, then one batched decode); returns the requests whose samples all finished.</summary>
    IReadOnlyList<FinishedRollouts> Step();
}

/// <summary>All samples of one request, as <see cref="IRolloutEngine.Generate"/> would return them.</summary>
public sealed record FinishedRollouts(RolloutRequest Request, IReadOnlyList<Rollout> Rollouts);
