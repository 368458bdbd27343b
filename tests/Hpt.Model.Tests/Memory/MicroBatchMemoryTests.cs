using Hpt.Model.Memory;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Memory;

public sealed class MicroBatchMemoryTests
{
    private const string Budget = "hpt.learner.micro-batch-tokens", Checkpointing = "hpt.learner.activation-checkpointing";

    [Fact]
    public void A_micro_batch_above_the_available_memory_is_refused_naming_the_key_to_lower()
    {
        using var m = TestModels.Tiny();
        var e = Assert.Throws<MicroBatchTooLargeException>(() =>
            MicroBatchMemory.EnsureFits(m, [100, 4096], Budget, 4096, Checkpointing, availableBytes: 1 << 20));
        Assert.Equal(Budget, e.Key);
        Assert.Contains("4096 padded tokens", e.Message);
        Assert.Contains($"lower {Budget} (now 4096) or set {Checkpointing} = on", e.Message);
    }

    [Fact]
    public void A_micro_batch_within_the_available_memory_passes()
    {
        using var m = TestModels.Tiny();
        MicroBatchMemory.EnsureFits(m, [4096], Budget, 4096, Checkpointing, availableBytes: 1L << 40);
    }

    [Fact]
    public void Checkpointing_lowers_the_estimate_by_about_the_layers_saved_activations()
    {
        var c = TestModels.TinyConfig() with { NumHiddenLayers = 8 };
        var off = ActivationMemory.BytesPerToken(c, ScalarType.Float32, checkpointing: false);
        var on = ActivationMemory.BytesPerToken(c, ScalarType.Float32, checkpointing: true);
        Assert.Equal(4 * (8 * ActivationMemory.LayerElementsPerToken(c) + 3 * c.HiddenSize), off);
        Assert.Equal(4 * (8 * c.HiddenSize + 2 * ActivationMemory.LayerElementsPerToken(c) + 3 * c.HiddenSize), on);
        Assert.True(on < off / 3, $"checkpointed {on} vs {off} bytes per token");
        Assert.Equal(off / 2, ActivationMemory.BytesPerToken(c, ScalarType.BFloat16, checkpointing: false));
    }

    [Fact]
    public void Out_of_memory_errors_of_libtorch_are_recognised_and_others_are_not()
    {
        Assert.True(MicroBatchMemory.IsOutOfMemory(new Exception("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: you tried to allocate 1000 bytes")));
        Assert.True(MicroBatchMemory.IsOutOfMemory(new Exception("CUDA out of memory. Tried to allocate 2.00 GiB")));
        Assert.False(MicroBatchMemory.IsOutOfMemory(new Exception("shape mismatch")));
    }
}
