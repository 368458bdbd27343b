using Hpt.Model.Kernels;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Kernels;

public sealed class LibtorchThreadsTests
{
    [Fact]
    public void An_inline_scope_runs_libtorch_on_one_thread_for_this_thread_only_and_restores_it()
    {
        Assert.True(LibtorchThreads.Available);
        var before = get_num_threads();
        Assert.Equal(0, LibtorchThreads.Budget);
        using (LibtorchThreads.Inline())
        {
            Assert.Equal(1, get_num_threads());
            Assert.Equal(before, LibtorchThreads.Budget);
            // Another thread keeps libtorch's own count.
            var other = 0;
            var thread = new Thread(() => other = get_num_threads());
            thread.Start();
            thread.Join();
            Assert.Equal(before, other);
            using (LibtorchThreads.Inline(kernelThreads: 1))
            {
                Assert.Equal(1, LibtorchThreads.Budget);
                Assert.Equal(1, get_num_threads());
            }
            Assert.Equal(before, LibtorchThreads.Budget);
        }
        Assert.Equal(before, get_num_threads());
        Assert.Equal(0, LibtorchThreads.Budget);
    }
}
