using System.Runtime.InteropServices;

namespace Hpt.Model.Kernels;

/// <summary>
/// Runs libtorch's operators on the calling thread alone for a while, so that <see cref="FewRowLinear"/>'s threads have
/// the cores to themselves. libtorch's OpenMP workers spin for milliseconds after each parallel region (libgomp's
/// default), and while they spin another runtime's thread waits for a core: in the bench's decode step the kernel's two
/// threads next to libtorch's two made a 1-row step 2.5x slower than libtorch alone. A decode step's own operators are
/// small (1-64 rows), so running them inline costs little, and the products, most of the step, get every core.
/// <para>
/// Both thread counts libtorch uses are set for the calling thread only, so nothing changes for other threads (a learner
/// training in the same process): OpenMP's (the nthreads ICV of the thread's data environment, which libtorch's
/// parallel_for reads) and MKL's thread-local count, which its vector maths (rotary cos/sin) and its GEMMs (inside CPU
/// flash attention) read. <c>torch.set_num_threads</c> would set MKL's for the whole process instead. The functions are
/// looked up through libtorch_cpu's own dependencies, i.e. the libgomp libtorch was linked with (the NuGet build ships a
/// renamed copy); where they cannot be found, <see cref="Inline"/> changes nothing and the kernel runs on one thread.
/// </para>
/// </summary>
public static class LibtorchThreads
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetOmpThreads(int n);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int GetOmpThreads();

    /// <summary>MKL's: sets this thread's count and returns the previous one (0: the process-wide count).</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetMklLocalThreads(int n);

    private sealed record Functions(SetOmpThreads SetOmp, GetOmpThreads GetOmp, SetMklLocalThreads? SetMkl);

    private static readonly Functions? Found = Find();

    [ThreadStatic] private static int budget; // 0: no scope open on this thread

    /// <summary>Whether libtorch's thread counts can be set per thread here.</summary>
    public static bool Available => Found is not null;

    /// <summary>
    /// Inside an <see cref="Inline"/> scope on this thread: the threads the caller may use for its own parallel work
    /// (libtorch's count before the scope, unless the scope said otherwise). Outside one: 0, and a second runtime must
    /// not run threads of its own next to libtorch's, which may be spinning.
    /// </summary>
    public static int Budget => budget;

    /// <summary>
    /// libtorch's operators run on the calling thread until the scope is disposed (on the same thread), and
    /// <see cref="Budget"/> is <paramref name="kernelThreads"/> (default: libtorch's thread count before). Inside a scope
    /// already open on this thread it only changes the budget until disposed. Null, and nothing changes, where
    /// <see cref="Available"/> is false.
    /// </summary>
    public static IDisposable? Inline(int? kernelThreads = null)
    {
        if (Found is not { } f) return null;
        if (budget > 0)
        {
            var previous = budget;
            budget = Math.Max(1, kernelThreads ?? budget);
            return new BudgetScope(previous);
        }
        // libtorch's get_num_threads first: its first call on a thread re-applies the process-wide count to that thread,
        // which would undo the settings below if it came later (inside the first operator).
        var before = TorchSharp.torch.get_num_threads();
        if (f.GetOmp() != before) return null; // not the OpenMP libtorch's operators use
        budget = Math.Max(1, kernelThreads ?? before);
        f.SetOmp(1);
        var mklBefore = f.SetMkl?.Invoke(1) ?? 0;
        return new Scope(f, before, mklBefore);
    }

    private sealed class Scope(Functions f, int ompBefore, int mklBefore) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            f.SetOmp(ompBefore);
            f.SetMkl?.Invoke(mklBefore);
            budget = 0;
        }
    }

    private sealed class BudgetScope(int before) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            budget = before;
        }
    }

    private static Functions? Find()
    {
        try
        {
            // The TorchSharp assembly's probing finds the libtorch_cpu it loaded (the same handle); dlsym on that handle
            // also searches its dependencies, so the OpenMP functions are libtorch's libgomp, whatever its file name.
            if (!NativeLibrary.TryLoad("torch_cpu", typeof(TorchSharp.torch).Assembly, null, out var lib)) return null;
            if (!NativeLibrary.TryGetExport(lib, "omp_set_num_threads", out var setOmp) ||
                !NativeLibrary.TryGetExport(lib, "omp_get_max_threads", out var getOmp)) return null;
            // MKL's C name (mkl_service.h defines mkl_set_num_threads_local as it; the lower-case symbol is the Fortran
            // binding, which takes a pointer). Absent from a libtorch built without MKL: then there is nothing to limit.
            var setMkl = NativeLibrary.TryGetExport(lib, "MKL_Set_Num_Threads_Local", out var m)
                ? Marshal.GetDelegateForFunctionPointer<SetMklLocalThreads>(m) : null;
            return new Functions(Marshal.GetDelegateForFunctionPointer<SetOmpThreads>(setOmp),
                Marshal.GetDelegateForFunctionPointer<GetOmpThreads>(getOmp), setMkl);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
