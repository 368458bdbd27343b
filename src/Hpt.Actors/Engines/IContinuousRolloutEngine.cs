using Hpt.Actors.Protocol;

namespace Hpt.Actors.Engines;

/// <summary>
/// A rollout engine that keeps several prompts in flight (continuous batching). The worker submits prompts as they
/// arrive and calls <see cref="Step"/> repeatedly; between two steps it may load a new policy (the next tokens carry
/// the new version) or submit more prompts. <see cref="IRolloutEngine.Generate"/> still works, one prompt at a time.
/// </summary>
public interface IContinuousRolloutEngine : IRolloutEngine
{
    /// <summary>Prompts the worker should hold (submitted and unfinished) to keep every slot busy.</summary>
    int PromptCapacity { get; }

    /// <summary>True while a submitted prompt is unfinished.</summary>
    bool HasWork { get; }

    /// <summary>Queues a prompt's <paramref name="samples"/> samples; they start as slots free up.</summary>
    void Submit(PromptWork work, int attempt, int samples);

    /// <summary>One scheduling step (admit, then one batched decode); returns the prompts whose samples all finished.</summary>
    IReadOnlyList<FinishedPrompt> Step();
}

/// <summary>All samples of one prompt, as <see cref="IRolloutEngine.Generate"/> would return them.</summary>
public sealed record FinishedPrompt(PromptWork Work, int Attempt, IReadOnlyList<Rollout> Rollouts);
