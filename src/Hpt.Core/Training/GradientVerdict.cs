namespace Hpt.Core.Training;

/// <summary>What to do with the accumulated gradient of a mini-batch.</summary>
public enum GradientVerdict
{
    /// <summary>Take the optimizer step.</summary>
    Step,

    /// <summary>Zero the gradient and skip: the norm is NaN or infinite.</summary>
    SkipNonFinite,

    /// <summary>Zero the gradient and skip: the norm is above the skip threshold (official Qwen-7B run: 80).</summary>
    SkipTooLarge,
}
