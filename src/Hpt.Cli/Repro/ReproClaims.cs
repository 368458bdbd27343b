using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Repro;

/// <summary>
/// The paper's claims as paired comparisons between runs of the regime. Runs are paired by seed (both algorithms
/// started from that seed's base) and, for held-out metrics, by problem (every run is scored on the same problems).
/// </summary>
public sealed class ReproClaims(IReadOnlyList<ReproRun> finals)
{
    public const string Hpt = "hpt-g0";
    public static readonly string[] Baselines = ["sft", "grpo", "sft-then-grpo", "luffy", "srft"];
    public static readonly string[] Gammas = ["hpt-g1of8", "hpt-g2of8", "hpt-g4of8"];

    private IEnumerable<ReproRun> Of(string strength, string algorithm) => finals.Where(r => r.Strength == strength && r.Algorithm == algorithm);

    public IReadOnlyList<ReproClaim> All()
    {
        var claims = new List<ReproClaim>();
        foreach (var strength in finals.Select(r => r.Strength).Distinct().Order(StringComparer.Ordinal))
        {
            foreach (var b in Baselines)
            {
                Add(claims, $"HPT beats {b} ({strength} base)", strength, Hpt, b, "id", "avg@n", ReproScores.Average);
                Add(claims, $"HPT beats {b} out of distribution ({strength} base)", strength, Hpt, b, "ood", "avg@n", ReproScores.Average);
                Add(claims, $"HPT keeps pass@k ahead of {b} at large k ({strength} base)", strength, Hpt, b, "id", "pass@n", e => ReproScores.PassAt(e, e.Samples));
            }
            AddPerSeed(claims, $"HPT's offline ratio is higher early than late ({strength} base)", strength, Hpt, null,
                "offline samples / samples, first 10% minus last 10% of steps",
                r => ReproScores.Window(r.Steps, 0, 0.1, s => s.OfflineSampleRatio) - ReproScores.Window(r.Steps, 0.9, 1, s => s.OfflineSampleRatio));
            AddPerSeed(claims, $"HPT's entropy stays above GRPO's ({strength} base)", strength, Hpt, "grpo", "mean entropy, last 25% of steps",
                r => ReproScores.Window(r.Steps, 0.75, 1, s => s.Entropy));
            foreach (var g in Gammas)
            {
                // The paper: gamma = 0 is best for the strong (Qwen) base, a larger gamma (2/8) for the weak (LLaMA) one.
                if (strength == "weak") Add(claims, $"{g} beats gamma 0 on the weak base", strength, g, Hpt, "id", "avg@n", ReproScores.Average);
                else Add(claims, $"gamma 0 beats {g} on the {strength} base", strength, Hpt, g, "id", "avg@n", ReproScores.Average);
            }
        }
        return claims;
    }

    private void Add(List<ReproClaim> claims, string claim, string strength, string a, string b, string split, string metric,
        Func<ReproEvalResult, double[]> score)
    {
        var pairs = Pairs(strength, a, b, r => r.Evals.ContainsKey(split)).ToArray();
        if (pairs.Length == 0) return;
        var differences = pairs.Select(p =>
        {
            var (ea, eb) = (p.A.Evals[split], p.B.Evals[split]);
            if (!ea.ProblemIds.SequenceEqual(eb.ProblemIds))
                throw new InvalidDataException($"{p.A.Directory} and {p.B.Directory} were scored on different {split} problems (eval seed or count differ)");
            var (sa, sb) = (score(ea), score(eb));
            return (IReadOnlyList<double>)sa.Zip(sb, (x, y) => x - y).ToArray();
        }).ToArray();
        claims.Add(new ReproClaim(claim, $"{a} - {b}", $"{split} {metric}", PairedBootstrap.MeanDifference(differences), pairs.Length, differences[0].Count));
    }

    private void AddPerSeed(List<ReproClaim> claims, string claim, string strength, string a, string? b, string metric, Func<ReproRun, double> value)
    {
        var values = b is null
            ? Of(strength, a).Where(r => r.Steps.Count > 0).Select(r => value(r)).ToArray()
            : Pairs(strength, a, b, r => r.Steps.Count > 0).Select(p => value(p.A) - value(p.B)).ToArray();
        values = values.Where(double.IsFinite).ToArray();
        if (values.Length == 0) return;
        claims.Add(new ReproClaim(claim, b is null ? a : $"{a} - {b}", metric, PairedBootstrap.MeanDifference(values), values.Length, 0));
    }

    private IEnumerable<(ReproRun A, ReproRun B)> Pairs(string strength, string a, string b, Func<ReproRun, bool> usable) =>
        from ra in Of(strength, a).Where(usable)
        join rb in Of(strength, b).Where(usable) on ra.Seed equals rb.Seed
        orderby ra.Seed
        select (ra, rb);
}
