using Hpt.Cli.Repro;

namespace Hpt.Cli.Tests.Repro;

public sealed class ReproClaimsTests
{
    private static ReproEvalResult Eval(string split, params int[] counts) =>
        new(split, "m", 8, 0.6, 0.95, 64, 7001, counts.Select((_, i) => $"p{i}").ToArray(), counts.Select(_ => 1).ToArray(), counts, 1);

    private static ReproRun Run(string algorithm, int seed, params int[] idCounts) =>
        new("strong", algorithm, "1e-4", seed, $"/runs/strong-{algorithm}-lr1e-4-s{seed}",
            new Dictionary<string, ReproEvalResult> { ["id"] = Eval("id", idCounts) }, []);

    private static ReproClaim Claim(IReadOnlyList<ReproRun> runs, string text) =>
        new ReproClaims(runs).All().Single(c => c.Claim == text);

    [Fact]
    public void A_gain_on_every_problem_of_every_seed_holds()
    {
        var runs = new[]
        {
            Run("hpt-g0", 1, 6, 5, 7, 4), Run("sft", 1, 2, 1, 3, 0),
            Run("hpt-g0", 2, 5, 6, 6, 5), Run("sft", 2, 1, 2, 2, 1),
        };
        var claim = Claim(runs, "HPT beats sft (strong base)");
        Assert.Equal("hpt-g0 - sft", claim.Comparison);
        Assert.Equal(2, claim.Seeds);
        Assert.Equal(4, claim.Problems);
        Assert.Equal(0.5, claim.Interval.Mean, 12);
        Assert.Equal("holds", claim.Verdict);
    }

    [Fact]
    public void A_loss_is_contradicted_and_a_mixed_result_is_not_shown()
    {
        var worse = new[] { Run("hpt-g0", 1, 0, 1, 0, 1), Run("grpo", 1, 8, 7, 8, 7), Run("hpt-g0", 2, 1, 0, 1, 0), Run("grpo", 2, 7, 8, 7, 8) };
        Assert.Equal("contradicted", Claim(worse, "HPT beats grpo (strong base)").Verdict);
        // Seed 1 gains what seed 2 loses.
        var mixed = new[] { Run("hpt-g0", 1, 8, 8, 8, 8), Run("grpo", 1, 0, 0, 0, 0), Run("hpt-g0", 2, 0, 0, 0, 0), Run("grpo", 2, 8, 8, 8, 8) };
        Assert.Equal("not shown", Claim(mixed, "HPT beats grpo (strong base)").Verdict);
    }

    [Fact]
    public void Only_seeds_both_algorithms_finished_are_paired()
    {
        var runs = new[] { Run("hpt-g0", 1, 6, 6), Run("luffy", 1, 2, 2), Run("hpt-g0", 2, 0, 0) };
        var claim = Claim(runs, "HPT beats luffy (strong base)");
        Assert.Equal(1, claim.Seeds);
        Assert.Equal(0.5, claim.Interval.Mean, 12);
    }

    [Fact]
    public void Runs_scored_on_different_problems_are_refused()
    {
        var a = Run("hpt-g0", 1, 6, 6);
        var b = Run("sft", 1, 2, 2) with
        {
            Evals = new Dictionary<string, ReproEvalResult> { ["id"] = Eval("id", 2, 2) with { ProblemIds = ["q0", "q1"] } },
        };
        Assert.Throws<InvalidDataException>(() => new ReproClaims([a, b]).All());
    }

    [Fact]
    public void Learning_rates_are_picked_on_validation_only()
    {
        var low = ("1e-4", Eval("validation", 1, 2));
        var high = ("3e-4", Eval("validation", 4, 3));
        var tie = ("1e-3", Eval("validation", 4, 3));
        Assert.Equal("3e-4", ReproSelection.Best([low, high, tie]));
        var e = Assert.Throws<ArgumentException>(() => ReproSelection.Best([low, ("3e-4", Eval("id", 8, 8))]));
        Assert.Contains("validation only", e.Message);
    }

    [Fact]
    public void A_per_seed_statistic_from_one_seed_is_untested_however_large()
    {
        var one = new ReproClaim("c", "a", "entropy", new Hpt.Tasks.Evaluation.PairedBootstrap.Interval(0.3, 0.3, 0.3), Seeds: 1, Problems: 0);
        Assert.Equal("untested (one seed)", one.Verdict);
        Assert.Equal("holds", (one with { Seeds = 2 }).Verdict);
    }
}
