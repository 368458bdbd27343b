using System.Collections.Concurrent;

namespace Hpt.Actors.Verification;

/// <summary>
/// Runs reward checks with a deadline on one reusable background thread (starting a thread per check cost more
/// than the checks). A check that overruns is abandoned with its thread, which is replaced; the caller gets 0 and a
/// reason. Never throws. One instance per verifier actor (not thread-safe for concurrent callers).
/// </summary>
public sealed class BoundedCheck : IDisposable
{
    public readonly record struct Outcome(double Reward, string? Failure);

    private Worker _worker = new();

    public Outcome Run(Func<double> check, TimeSpan timeout)
    {
        var job = new Job(check);
        _worker.Queue.Add(job);
        if (!job.Done.Wait(timeout))
        {
            // The thread is stuck inside the check: leave it behind (it is a background thread) and start a fresh one.
            _worker.Abandon();
            _worker = new Worker();
            return new Outcome(0, $"timed out after {timeout.TotalSeconds:0.###} s");
        }
        if (job.Error is { } e) return new Outcome(0, $"{e.GetType().Name}: {e.Message}");
        return double.IsFinite(job.Reward) ? new Outcome(job.Reward, null) : new Outcome(0, $"non-finite reward {job.Reward}");
    }

    public void Dispose() => _worker.Abandon();

    private sealed class Job(Func<double> check)
    {
        public ManualResetEventSlim Done { get; } = new();
        public double Reward { get; private set; }
        public Exception? Error { get; private set; }

        public void Execute()
        {
            try { Reward = check(); }
            catch (Exception e) { Error = e; }
            Done.Set();
        }
    }

    private sealed class Worker
    {
        public BlockingCollection<Job> Queue { get; } = new();

        public Worker()
        {
            var thread = new Thread(() =>
            {
                foreach (var job in Queue.GetConsumingEnumerable()) job.Execute();
            }) { IsBackground = true, Name = "hpt-verifier-check" };
            thread.Start();
        }

        public void Abandon() => Queue.CompleteAdding();
    }
}
