using System.Diagnostics;

namespace Hpt.Tasks.Verification;

/// <summary>
/// Work limit for one verification. Reference checkers bound their CAS with signal-based timeouts, which fail
/// off the main thread and either hang or score everything 0; a step counter (plus a wall-clock backstop checked
/// at the same points) is deterministic and works on any thread.
/// </summary>
internal sealed class Budget
{
    private readonly long _maxSteps;
    private readonly long _deadlineTicks;
    private long _steps;
    private long _sinceClockCheck;

    public Budget(long maxSteps, TimeSpan maxTime)
    {
        _maxSteps = maxSteps;
        _deadlineTicks = Stopwatch.GetTimestamp() + (long)(maxTime.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Charges <paramref name="cost"/> steps; throws <see cref="BudgetExceededException"/> when spent.</summary>
    public void Spend(long cost = 1)
    {
        _steps += cost;
        if (_steps > _maxSteps) throw new BudgetExceededException();
        _sinceClockCheck += cost;
        if (_sinceClockCheck < 256) return;
        _sinceClockCheck = 0;
        if (Stopwatch.GetTimestamp() > _deadlineTicks) throw new BudgetExceededException();
    }
}

/// <summary>Thrown inside the verifier when its <see cref="Budget"/> is spent; never escapes the public API.</summary>
internal sealed class BudgetExceededException : Exception
{
    public BudgetExceededException() : base("verification budget exceeded") { }
}
