namespace Hpt.Cli.Repro;

/// <summary>
/// The per-algorithm learning-rate choice: the candidate with the highest validation avg@n. Only validation
/// evaluations are accepted, so the held-out sets can never influence the choice.
/// </summary>
public static class ReproSelection
{
    public static (string Label, ReproEvalResult Result) ParseCandidate(string spec)
    {
        var eq = spec.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"'{spec}' must look like LABEL=EVAL_JSON");
        var path = spec[(eq + 1)..];
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} not found", path);
        return (spec[..eq], ReproEvalResult.Read(path));
    }

    public static string Best(IReadOnlyList<(string Label, ReproEvalResult Result)> candidates)
    {
        if (candidates.Count == 0) throw new ArgumentException("no candidates to pick from");
        foreach (var (label, result) in candidates)
            if (result.Split != "validation")
                throw new ArgumentException($"{label}: an evaluation on '{result.Split}'; learning rates are chosen on validation only");
        var best = candidates[0];
        foreach (var c in candidates.Skip(1))
            if (c.Result.Average > best.Result.Average) best = c;
        return best.Label;
    }
}
