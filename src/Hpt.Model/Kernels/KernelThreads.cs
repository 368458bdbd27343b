using System.Diagnostics;

namespace Hpt.Model.Kernels;

/// <summary>
/// Dedicated threads for the parallel parts of <see cref="FewRowLinear"/>. Not the .NET thread pool: its workers spin
/// for new work after each item, and during a decode step that spinning took the second core from libtorch's own OpenMP
/// threads between two products (measured in the bench's step: a 64-row step went from 43 ms to 82 ms with the pool).
/// These threads spin only for <see cref="SpinTime"/> after a job, long enough to catch the next projection of the same
/// layer, then block until the next job. One caller at a time uses them; a concurrent caller (a second generator on
/// another thread) runs every part itself, so nothing ever waits on a busy pool.
/// </summary>
internal sealed class KernelThreads
{
    /// <summary>How long a worker spins for the next job before it blocks.</summary>
    private static readonly TimeSpan SpinTime = TimeSpan.FromMicroseconds(200);

    private static readonly Lazy<KernelThreads> LazyShared = new(() => new KernelThreads(Math.Max(0, Environment.ProcessorCount - 1)));

    /// <summary>One pool per process, with one worker per core beyond the caller's.</summary>
    public static KernelThreads Shared => LazyShared.Value;

    private readonly Worker[] workers;
    private readonly Lock gate = new();
    private Action<int>? body;
    private int remaining;
    private Exception? failure;

    private KernelThreads(int count)
    {
        workers = new Worker[count];
        for (var i = 0; i < count; i++) workers[i] = new Worker(this, i + 1);
    }

    /// <summary>Threads a job can use: the caller's and the workers'.</summary>
    public int Threads => workers.Length + 1;

    /// <summary>
    /// Runs <paramref name="parts"/> calls of <paramref name="part"/> (0..parts-1) and returns when all are done: part 0
    /// on the caller, the others on the workers. With the pool busy or too small, the caller runs them all in turn.
    /// </summary>
    public void Run(int parts, Action<int> part)
    {
        if (parts <= 1 || parts > Threads || !gate.TryEnter())
        {
            for (var i = 0; i < parts; i++) part(i);
            return;
        }
        try
        {
            body = part;
            failure = null;
            Volatile.Write(ref remaining, parts - 1);
            for (var w = 0; w < parts - 1; w++) workers[w].Post();
            part(0);
            var spin = new SpinWait();
            while (Volatile.Read(ref remaining) > 0) spin.SpinOnce(sleep1Threshold: -1);
            if (failure is { } e) throw new AggregateException("a parallel part of a kernel failed", e);
        }
        finally
        {
            body = null;
            gate.Exit();
        }
    }

    private void Finish(Exception? error)
    {
        if (error is not null) Interlocked.CompareExchange(ref failure, error, null);
        Interlocked.Decrement(ref remaining);
    }

    private sealed class Worker
    {
        private readonly KernelThreads pool;
        private readonly int part;
        private readonly SemaphoreSlim wake = new(0);
        private long posted;   // jobs posted to this worker
        private int sleeping;  // 1 while blocked (or about to block) on wake

        public Worker(KernelThreads pool, int part)
        {
            this.pool = pool;
            this.part = part;
            new Thread(Loop) { IsBackground = true, Name = $"hpt-kernel-{part}" }.Start();
        }

        public void Post()
        {
            Interlocked.Increment(ref posted); // full fence: the sleeping flag is read after the job is visible
            if (Volatile.Read(ref sleeping) == 1) wake.Release();
        }

        private void Loop()
        {
            long done = 0;
            var clock = new Stopwatch();
            while (true)
            {
                clock.Restart();
                var spin = new SpinWait();
                while (Volatile.Read(ref posted) == done && clock.Elapsed < SpinTime) spin.SpinOnce(sleep1Threshold: -1);
                if (Volatile.Read(ref posted) == done)
                {
                    Interlocked.Exchange(ref sleeping, 1); // full fence before the re-check: no lost wake-up
                    if (Volatile.Read(ref posted) == done) wake.Wait();
                    Volatile.Write(ref sleeping, 0);
                    continue; // a wake-up may be stale (a Release raced a job it had already seen): check again
                }
                done++;
                Exception? error = null;
                try { pool.body!(part); }
                catch (Exception e) { error = e; }
                pool.Finish(error);
            }
        }
    }
}
