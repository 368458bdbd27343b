namespace Hpt.Tasks.Datasets;

/// <summary>How the gold answer is read from the mapped answer field.</summary>
public enum AnswerSource
{
    /// <summary>The field is the answer (string or number; a JSON number 27.0 becomes "27").</summary>
    Field,

    /// <summary>The field is a worked solution; the answer is its last \boxed{} (MATH, Minerva).</summary>
    LastBoxedInField,

    /// <summary>The field is a GSM8K solution; the answer follows the last "####", commas removed.</summary>
    AfterHashMarks,

    /// <summary>The field is a list; the answer is its first element with $ stripped (OlympiadBench).</summary>
    FirstOfList,
}
