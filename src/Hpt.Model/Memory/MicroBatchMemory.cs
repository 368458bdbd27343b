using Hpt.Model.Scoring;
using static TorchSharp.torch;

namespace Hpt.Model.Memory;

/// <summary>
/// Whether a training micro-batch fits before any of it runs: its padded (rows x longest row) tokens times the
/// activation bytes per token (<see cref="ActivationMemory"/>), with a margin for what backward holds transiently,
/// plus the scorer's vocabulary chunk, against the memory the machine has available now. A step refused here has
/// changed nothing, where an out-of-memory failure halfway would leave some mini-batches applied.
/// </summary>
public static class MicroBatchMemory
{
    /// <summary>
    /// Measured peak slopes were 1.3x (checkpointing off) and 1.8x (on) the activation estimate (docs/performance.md,
    /// <c>hpt bench memory</c>); the check allows 2x.
    /// </summary>
    public const double Margin = 2.0;

    public static long EstimateBytes(ModelConfig config, ScalarType dtype, bool checkpointing, long paddedTokens, long maxLogitsPerChunk) =>
        (long)(Margin * paddedTokens * ActivationMemory.BytesPerToken(config, dtype, checkpointing))
        + ActivationMemory.VocabularyChunkBytes(maxLogitsPerChunk);

    /// <summary>
    /// Throws <see cref="MicroBatchTooLargeException"/> when the largest micro-batch's estimate exceeds the available
    /// memory. Host memory only: on a CUDA device the allocator's own out-of-memory error is caught instead.
    /// </summary>
    /// <param name="paddedTokens">rows x longest (prompt + response) of each micro-batch.</param>
    /// <param name="budgetKey">The configuration key that sets the micro-batch size, named in the error.</param>
    public static void EnsureFits(CausalLM model, IEnumerable<long> paddedTokens, string budgetKey, long budget, string checkpointingKey,
        long? availableBytes = null)
    {
        if (model.Device.type != TorchSharp.DeviceType.CPU) return;
        var largest = paddedTokens.DefaultIfEmpty(0).Max();
        if (largest == 0) return;
        var available = availableBytes ?? ProcessMemory.AvailableBytes();
        if (available is null) return;
        var need = EstimateBytes(model.Config, model.DType, model.ActivationCheckpointing, largest, new Scorer(model).MaxLogitsPerChunk);
        if (need > available)
            throw new MicroBatchTooLargeException(budgetKey, Describe(largest, need, available.Value, budgetKey, budget, checkpointingKey, model.ActivationCheckpointing));
    }

    public static string Describe(long tokens, long need, long available, string budgetKey, long budget, string checkpointingKey, bool checkpointing) =>
        $"a training micro-batch of {tokens} padded tokens needs about {need / 1e9:F1} GB but {available / 1e9:F1} GB is available: " +
        $"lower {budgetKey} (now {budget})" + (checkpointing ? "" : $" or set {checkpointingKey} = on") + "; the step was not applied";

    /// <summary>True for libtorch's allocation failures (CPU "can't allocate memory", CUDA "out of memory").</summary>
    public static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException ||
        e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase) ||
        e.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase);
}
