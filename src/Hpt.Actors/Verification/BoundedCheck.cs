using System.Collections.Concurrent;

namespace Hpt.Actors.Verification;

/// <summary>
/// Runs reward checks with a deadline each on one reusable background thread (starting a thread per check cost more
/// than the checks). A group's checks go to the thread as one job: handing each check over on its own cost two thread
/// wake-ups per check (the thread's, then the caller's), many times the check itself, where a job per group
/// usually costs two in all, since the caller finds the later checks already done. A check that overruns is abandoned with its
/// thread, which is replaced (the later checks run on the new one); the caller gets 0 and a reason for it. Never
/// throws. One instance per verifier actor (not thread-safe for concurrent callers).
/// </summary>
public sealed class BoundedCheck : IDisposable
{
    public readonly record struct Outcome(double Reward, string? Failure);

    private Worker _worker = new();

    public Outcome Run(Func<double> check, TimeSpan timeout) => RunAll([check], timeout)[0];

    /// <summary>
    /// The outcome of every check, in order. A check's <paramref name="timeout"/> runs from when the caller starts
    /// waiting for it: the first one's from the hand-over, a later one's from when the caller sees the one before it
    /// done (by then it has started), so no check gets less than its bound.
    /// </summary>
    public Outcome[] RunAll(IReadOnlyList<Func<double>> checks, TimeSpan timeout)
    {
        var outcomes = new Outcome[checks.Count];
        var next = 0;
        while (next < checks.Count)
        {
            var job = new Job(checks, next);
            _worker.Queue.Add(job);
            for (; next < checks.Count; next++)
            {
                if (job.Finished.Wait(timeout))
                {
                    outcomes[next] = job.OutcomeOf(next);
                    continue;
                }
                // The thread is stuck inside this check: leave it behind (a background thread that runs none of the
                // job's later checks) and give the rest to a fresh one.
                job.Abandon();
                _worker.Abandon();
                _worker = new Worker();
                outcomes[next++] = new Outcome(0, $"timed out after {timeout.TotalSeconds:0.###} s");
                break;
            }
        }
        return outcomes;
    }

    public void Dispose() => _worker.Abandon();

    private sealed class Job(IReadOnlyList<Func<double>> checks, int first)
    {
        private readonly double[] _rewards = new double[checks.Count];
        private readonly Exception?[] _errors = new Exception?[checks.Count];
        private volatile bool _abandoned;

        /// <summary>Released once per finished check, in order.</summary>
        public SemaphoreSlim Finished { get; } = new(0);

        public void Abandon() => _abandoned = true;

        public void Execute()
        {
            for (var i = first; i < checks.Count && !_abandoned; i++)
            {
                try { _rewards[i] = checks[i](); }
                catch (Exception e) { _errors[i] = e; }
                Finished.Release();
            }
        }

        public Outcome OutcomeOf(int i)
        {
            if (_errors[i] is { } e) return new Outcome(0, $"{e.GetType().Name}: {e.Message}");
            var reward = _rewards[i];
            return double.IsFinite(reward) ? new Outcome(reward, null) : new Outcome(0, $"non-finite reward {reward}");
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
