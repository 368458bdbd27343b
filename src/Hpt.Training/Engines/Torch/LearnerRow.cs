namespace Hpt.Training.Engines.Torch;

/// <summary>One row of a training step in token form: what the scorer needs and the gate's numbers for it.</summary>
public sealed record LearnerRow(
    int[] Prompt,
    int[] Response,
    float[]? BehaviourLogProbs,
    bool IsExpert,
    double Advantage,
    double RlWeight,
    double SftWeight)
{
    public int Tokens => Prompt.Length + Response.Length;

    /// <summary>log pi_prox of each response token, from the step's no-grad pass; null where the row's own detached
    /// log-probs are pi_prox (rows trained before the first optimizer step).</summary>
    public float[]? ProximalLogProbs { get; init; }

    /// <summary>The rows of a step, prompts in the order given, each prompt's rows in the gate's order.</summary>
    public static IReadOnlyList<LearnerRow> From(IReadOnlyList<StepPrompt> batch, PromptCodec codec)
    {
        var rows = new List<LearnerRow>();
        foreach (var prompt in batch)
        {
            int[]? expertPrompt = null;
            foreach (var row in prompt.Rows)
            {
                if (row.Rollout is { } r)
                {
                    if (r.ResponseTokens.Length == 0) continue; // nothing to score
                    rows.Add(new LearnerRow(r.PromptTokens, r.ResponseTokens, r.BehaviourLogProbs, false, row.Advantage, row.RlWeight, row.SftWeight));
                }
                else if (row.ExpertText is { } text)
                {
                    expertPrompt ??= codec.EncodePrompt(prompt.Prompt);
                    rows.Add(new LearnerRow(expertPrompt, codec.EncodeResponse(text), null, true, row.Advantage, row.RlWeight, row.SftWeight));
                }
            }
        }
        return rows;
    }

    /// <summary>Consecutive groups of rows holding at most <paramref name="tokenBudget"/> tokens each (a longer row goes alone).</summary>
    public static IEnumerable<IReadOnlyList<LearnerRow>> Pack(IReadOnlyList<LearnerRow> rows, int tokenBudget)
    {
        var current = new List<LearnerRow>();
        var tokens = 0;
        foreach (var row in rows)
        {
            if (current.Count > 0 && tokens + row.Tokens > tokenBudget)
            {
                yield return current;
                current = [];
                tokens = 0;
            }
            current.Add(row);
            tokens += row.Tokens;
        }
        if (current.Count > 0) yield return current;
    }

    /// <summary>Splits rows into <paramref name="parts"/> near-equal consecutive mini-batches (fewer if there are fewer rows).</summary>
    public static IReadOnlyList<IReadOnlyList<LearnerRow>> Split(IReadOnlyList<LearnerRow> rows, int parts)
    {
        var count = Math.Max(1, Math.Min(parts, rows.Count));
        var result = new List<IReadOnlyList<LearnerRow>>(count);
        for (var i = 0; i < count; i++)
        {
            var start = rows.Count * i / count;
            var end = rows.Count * (i + 1) / count;
            result.Add(rows.Skip(start).Take(end - start).ToArray());
        }
        return result;
    }
}
