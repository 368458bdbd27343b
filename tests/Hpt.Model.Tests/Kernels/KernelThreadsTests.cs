using Hpt.Model.Kernels;

namespace Hpt.Model.Tests.Kernels;

public sealed class KernelThreadsTests
{
    [Fact]
    public void Every_part_runs_once_and_the_call_returns_after_all()
    {
        var pool = KernelThreads.Shared;
        for (var round = 0; round < 200; round++)
        {
            var hits = new int[pool.Threads];
            pool.Run(pool.Threads, p => Interlocked.Increment(ref hits[p]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void A_failing_part_fails_the_call_and_the_pool_keeps_working()
    {
        var pool = KernelThreads.Shared;
        var parts = Math.Max(2, pool.Threads);
        var e = Assert.ThrowsAny<Exception>(() => pool.Run(parts, p => { if (p == parts - 1) throw new InvalidOperationException("part failed"); }));
        Assert.Contains("part failed", e.ToString());
        var ran = 0;
        pool.Run(parts, _ => Interlocked.Increment(ref ran));
        Assert.Equal(parts, ran);
    }

    [Fact]
    public void Concurrent_callers_each_get_all_their_parts_run()
    {
        var pool = KernelThreads.Shared;
        var totals = new int[4];
        Parallel.For(0, 4, c =>
        {
            for (var round = 0; round < 100; round++) pool.Run(pool.Threads, _ => Interlocked.Increment(ref totals[c]));
        });
        Assert.All(totals, t => Assert.Equal(100 * pool.Threads, t));
    }
}
