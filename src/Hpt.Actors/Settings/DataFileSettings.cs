using Hpt.Tasks.Datasets;
using Hpt.Tasks.Verification;

namespace Hpt.Actors.Settings;

/// <summary>
/// `hpt.task.data`: how a data file (hpt.task.name = a .jsonl, .json or .parquet file) becomes problems: the field
/// mapping (a preset, or auto from the first row, with explicit field names replacing the preset's), the bad-row
/// policy, the official code's prompt-length filter and demonstration truncation, and the RL reward's answer mode.
/// </summary>
/// <param name="Preset">A <see cref="FieldMapping"/> preset name, or "auto".</param>
/// <param name="AnswerSource">How the answer field holds the gold; null = the preset's.</param>
/// <param name="MaxPromptTokens">Prompts longer than this (as the policy encodes them) are dropped; 0 = none are.</param>
/// <param name="MaxDemonstrationTokens">Demonstrations with their end token are cut to this many tokens; 0 = whole.</param>
public sealed record DataFileSettings(
    string Preset,
    IReadOnlyList<string> PromptFields,
    IReadOnlyList<string> AnswerFields,
    IReadOnlyList<string> DemonstrationFields,
    IReadOnlyList<string> IdFields,
    AnswerSource? AnswerSource,
    BadRowPolicy BadRows,
    int MaxPromptTokens,
    int MaxDemonstrationTokens,
    VerifierMode RewardMode)
{
    public const string Auto = "auto";

    public static DataFileSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.task.data");
        var preset = r.String("preset").Trim().ToLowerInvariant();
        if (preset != Auto && !FieldMapping.All.Any(m => m.Name == preset))
            throw new SettingsException(r.Key("preset"),
                $"'{preset}' is not one of: {Auto}, {string.Join(", ", FieldMapping.All.Select(m => m.Name))}");
        var source = r.String("answer-source").Trim().ToLowerInvariant();
        AnswerSource? answerSource = source switch
        {
            "preset" => null,
            "field" => Hpt.Tasks.Datasets.AnswerSource.Field,
            "last-boxed" => Hpt.Tasks.Datasets.AnswerSource.LastBoxedInField,
            "after-hash-marks" => Hpt.Tasks.Datasets.AnswerSource.AfterHashMarks,
            "first-of-list" => Hpt.Tasks.Datasets.AnswerSource.FirstOfList,
            _ => throw new SettingsException(r.Key("answer-source"),
                $"'{source}' is not one of: preset, field, last-boxed, after-hash-marks, first-of-list"),
        };
        return new DataFileSettings(preset, Fields(r, "prompt-fields"), Fields(r, "answer-fields"), Fields(r, "demonstration-fields"),
            Fields(r, "id-fields"), answerSource, r.Enum<BadRowPolicy>("bad-rows"), r.Int("max-prompt-tokens", min: 0),
            r.Int("max-demonstration-tokens", min: 0), r.Enum<VerifierMode>("reward-mode"));
    }

    /// <summary>
    /// The mapping for <paramref name="file"/>: the preset (detected from the first row under "auto"), with every
    /// field list given here replacing the preset's.
    /// </summary>
    public FieldMapping MappingFor(string file)
    {
        var preset = Preset == Auto
            ? DatasetLoader.DetectMappingAsync(file).GetAwaiter().GetResult()
            : FieldMapping.ByName(Preset);
        return preset with
        {
            Name = PromptFields.Count + AnswerFields.Count + DemonstrationFields.Count + IdFields.Count + (AnswerSource is null ? 0 : 1) == 0
                ? preset.Name
                : preset.Name + " with the configured fields",
            PromptFields = PromptFields.Count > 0 ? PromptFields : preset.PromptFields,
            AnswerFields = AnswerFields.Count > 0 ? AnswerFields : preset.AnswerFields,
            DemonstrationFields = DemonstrationFields.Count > 0 ? DemonstrationFields : preset.DemonstrationFields,
            IdFields = IdFields.Count > 0 ? IdFields : preset.IdFields,
            AnswerSource = AnswerSource ?? preset.AnswerSource,
        };
    }

    private static IReadOnlyList<string> Fields(SettingsReader r, string name)
    {
        var fields = r.StringList(name).Select(f => f.Trim()).ToArray();
        if (fields.Any(f => f.Length == 0)) throw new SettingsException(r.Key(name), "has an empty field name");
        return fields;
    }
}
