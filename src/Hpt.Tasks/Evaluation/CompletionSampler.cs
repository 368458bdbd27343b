namespace Hpt.Tasks.Evaluation;

/// <summary>
/// Generates <paramref name="samples"/> completions for each prompt (result[i] belongs to prompts[i]). The harness
/// knows nothing about models: the training pipeline passes its policy's sampler here.
/// </summary>
public delegate Task<IReadOnlyList<IReadOnlyList<string>>> CompletionSampler(
    IReadOnlyList<string> prompts, int samples, SamplingParameters parameters, CancellationToken cancellationToken);
