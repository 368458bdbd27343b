using System.Text.Json.Nodes;

namespace Hpt.Tasks.Datasets;

/// <summary>
/// Picks the field-mapping preset from a data file's first row, by the fields the known formats have: verl/OpenR1
/// rows carry reward_model (OpenR1/HPT/LUFFY add a target), OlympiadBench final_answer, GSM8K a question whose answer
/// ends in "####", MATH problem + solution + answer, Minerva problem + solution, the HPT evaluation files prompt +
/// answer, AIME/AMC problem or question + answer. Null when the row fits none.
/// </summary>
public static class FieldMappingDetector
{
    public static FieldMapping? Detect(JsonObject row)
    {
        bool Has(string name) => row.ContainsKey(name);
        if (Has("reward_model")) return Has("target") ? FieldMapping.OpenR1 : FieldMapping.Verl;
        if (Has("final_answer")) return FieldMapping.OlympiadBench;
        if (Has("question") && row["answer"] is JsonValue answer && answer.TryGetValue<string>(out var text) && text.Contains("####"))
            return FieldMapping.Gsm8k;
        if (Has("problem") && Has("solution")) return Has("answer") ? FieldMapping.Math : FieldMapping.Minerva;
        if (Has("prompt") && (Has("target") || Has("ground_truth"))) return FieldMapping.OpenR1;
        if (Has("prompt") && Has("answer")) return FieldMapping.HptEval;
        if ((Has("problem") || Has("question")) && Has("answer")) return FieldMapping.Aime;
        return null;
    }
}
