using static TorchSharp.torch;

namespace Hpt.Model;

/// <summary>
/// Keeps the gradients a custom autograd function returns alive until libtorch has taken them, then frees them.
/// A TorchSharp <c>backward</c> hands back managed tensors; the native node copies each one (a reference-count increment)
/// as soon as the managed call returns, so the managed handles are garbage from then on. They cannot be disposed
/// inside <c>backward</c>, and a dispose scope cannot own them either: on a CUDA device the autograd engine calls
/// <c>backward</c> on its own worker threads, where no scope exists, and the handles would wait for the finalizer
/// (the GC does not see native memory). So each thread parks its last call's handles here, and the next custom
/// backward on that thread (or <see cref="Release"/>) disposes them: by then the earlier call has long returned.
/// </summary>
public static class AutogradHandoff
{
    [ThreadStatic] private static List<Tensor>? _pending;

    /// <summary>Detaches <paramref name="gradient"/> from every dispose scope and parks it (null passes through).</summary>
    public static Tensor? Hold(Tensor? gradient)
    {
        if (gradient is null || gradient.IsInvalid) return null;
        (_pending ??= []).Add(gradient.DetachFromDisposeScope());
        return gradient;
    }

    /// <summary>
    /// Disposes the handles parked by earlier backward calls on this thread. Call it at the start of a custom backward,
    /// or after <c>loss.backward()</c> has returned; never from inside the backward whose results are parked.
    /// </summary>
    public static void Release()
    {
        if (_pending is not { Count: > 0 } pending) return;
        foreach (var t in pending) t.Dispose();
        pending.Clear();
    }
}
