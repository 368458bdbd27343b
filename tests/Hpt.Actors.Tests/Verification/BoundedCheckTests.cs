using Hpt.Actors.Verification;

namespace Hpt.Actors.Tests.Verification;

public sealed class BoundedCheckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void Group_of_checks_gives_each_outcome_in_order_with_the_failures_named()
    {
        using var checks = new BoundedCheck();
        var outcomes = checks.RunAll([() => 1, () => throw new FormatException("unparseable"), () => double.NaN, () => 0.5], Timeout);
        Assert.Equal([1, 0, 0, 0.5], outcomes.Select(o => o.Reward));
        Assert.Null(outcomes[0].Failure);
        Assert.Equal("FormatException: unparseable", outcomes[1].Failure);
        Assert.Equal("non-finite reward NaN", outcomes[2].Failure);
        Assert.Null(outcomes[3].Failure);
    }

    [Fact]
    public void Check_that_hangs_times_out_and_the_later_checks_run_on_a_fresh_thread_not_the_stuck_one()
    {
        using var release = new ManualResetEventSlim();
        var ranOn = new string?[4];
        double On(int i, double reward)
        {
            ranOn[i] = Thread.CurrentThread.ManagedThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return reward;
        }
        using var checks = new BoundedCheck();
        try
        {
            var outcomes = checks.RunAll(
            [
                () => On(0, 1),
                () => { On(1, 0); release.Wait(TimeSpan.FromSeconds(30)); return 1; },
                () => On(2, 0.25),
                () => On(3, 0.75),
            ], Timeout);
            Assert.Equal([1, 0, 0.25, 0.75], outcomes.Select(o => o.Reward));
            Assert.Equal("timed out after 0.2 s", outcomes[1].Failure);
            Assert.Equal(ranOn[0], ranOn[1]);
            Assert.NotEqual(ranOn[1], ranOn[2]);
            Assert.Equal(ranOn[2], ranOn[3]);
        }
        finally
        {
            release.Set();
        }
        // The stuck thread, once free, runs none of its job's later checks: they ran once, on the fresh thread.
        var third = ranOn[2];
        Thread.Sleep(100);
        Assert.Equal(third, ranOn[2]);
        Assert.Equal(0.5, checks.Run(() => 0.5, Timeout).Reward);
    }

    [Fact]
    public void Every_check_of_a_slow_group_gets_its_own_bound_not_a_share_of_one()
    {
        using var checks = new BoundedCheck();
        // Five checks of 100 ms each take 500 ms in all, more than the 200 ms bound, yet none overruns its own.
        var outcomes = checks.RunAll(Enumerable.Range(0, 5).Select(_ => (Func<double>)(() => { Thread.Sleep(100); return 1; })).ToArray(), Timeout);
        Assert.All(outcomes, o => Assert.Null(o.Failure));
    }
}
