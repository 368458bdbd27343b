namespace Hpt.Tasks.Datasets;

/// <summary>
/// Which fields of a row hold the id, prompt, answer and demonstration. Field names may be dotted paths
/// ("reward_model.ground_truth"); for the prompt and answer the first present candidate wins. Chat-style values
/// (a list of {role, content} messages) are read as the last message's content.
/// </summary>
public sealed record FieldMapping(
    string Name,
    IReadOnlyList<string> PromptFields,
    IReadOnlyList<string> AnswerFields,
    AnswerSource AnswerSource = AnswerSource.Field,
    IReadOnlyList<string>? IdFields = null,
    IReadOnlyList<string>? DemonstrationFields = null)
{
    /// <summary>MATH / MATH-500 / math-train: problem, solution (ending in \boxed{}), answer, unique_id.</summary>
    public static FieldMapping Math { get; } = new("math", ["problem"], ["answer"], AnswerSource.Field,
        ["unique_id", "id"], ["solution"]);

    /// <summary>GSM8K: question, answer (worked solution ending "#### N").</summary>
    public static FieldMapping Gsm8k { get; } = new("gsm8k", ["question"], ["answer"], AnswerSource.AfterHashMarks,
        null, ["answer"]);

    /// <summary>AIME (Qwen aime24, DeepScaleR aime-train): problem, answer, solution.</summary>
    public static FieldMapping Aime { get; } = new("aime", ["problem", "question"], ["answer"], AnswerSource.Field,
        ["id"], ["solution"]);

    /// <summary>AMC (Qwen amc23): problem, answer as a JSON number.</summary>
    public static FieldMapping Amc { get; } = new("amc", ["problem", "question"], ["answer"], AnswerSource.Field, ["id"]);

    /// <summary>Minerva OCW: problem, solution; the gold is the solution's last \boxed{}.</summary>
    public static FieldMapping Minerva { get; } = new("minerva", ["problem"], ["solution"], AnswerSource.LastBoxedInField,
        ["idx"], ["solution"]);

    /// <summary>OlympiadBench: question, final_answer (a list of $-wrapped answers), id.</summary>
    public static FieldMapping OlympiadBench { get; } = new("olympiadbench", ["question"], ["final_answer"],
        AnswerSource.FirstOfList, ["id"]);

    /// <summary>
    /// OpenR1 / HPT training rows (verl parquet): prompt (chat list or text), target (chat list or text; the expert
    /// demonstration), reward_model.ground_truth or ground_truth or answer.
    /// </summary>
    public static FieldMapping OpenR1 { get; } = new("openr1", ["prompt", "problem", "question"],
        ["reward_model.ground_truth", "ground_truth", "answer"], AnswerSource.Field, ["extra_info.index", "id", "uuid"],
        ["target", "solution"]);

    /// <summary>
    /// verl's Parquet rows (its examples' preprocess scripts): prompt (chat list), reward_model.ground_truth,
    /// extra_info.index; a demonstration only where the row has one (LUFFY/HPT's target, GSM8K's extra_info.answer).
    /// </summary>
    public static FieldMapping Verl { get; } = new("verl", ["prompt"], ["reward_model.ground_truth"], AnswerSource.Field,
        ["extra_info.index", "index"], ["target", "extra_info.answer", "extra_info.solution"]);

    /// <summary>The HPT repository's evaluation JSON arrays: {prompt, answer} (answer sometimes \boxed{}).</summary>
    public static FieldMapping HptEval { get; } = new("hpt-eval", ["prompt"], ["answer"], AnswerSource.Field, ["id"]);

    public static IReadOnlyList<FieldMapping> All { get; } = [Math, Gsm8k, Aime, Amc, Minerva, OlympiadBench, OpenR1, Verl, HptEval];

    /// <summary>A preset by name (math, gsm8k, aime, amc, minerva, olympiadbench, openr1, verl, hpt-eval).</summary>
    public static FieldMapping ByName(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown field mapping '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}");
}
