namespace Hpt.Actors.Verification;

/// <summary>Runs one reward check with a deadline; never throws.</summary>
public static class BoundedCheck
{
    public readonly record struct Outcome(double Reward, string? Failure);

    public static Outcome Run(Func<double> check, TimeSpan timeout)
    {
        // A dedicated task, so a check that never returns costs one thread, not the pipeline.
        var task = Task.Factory.StartNew(check, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            if (!task.Wait(timeout)) return new Outcome(0, $"timed out after {timeout.TotalSeconds:0.###} s");
            var reward = task.Result;
            return double.IsFinite(reward) ? new Outcome(reward, null) : new Outcome(0, $"non-finite reward {reward}");
        }
        catch (AggregateException e)
        {
            return new Outcome(0, $"{e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
        }
    }
}
