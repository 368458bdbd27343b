using System.Text.Json;
using System.Text.Json.Nodes;
using Hpt.Tasks.Verification;

namespace Hpt.Tasks.Datasets;

/// <summary>Applies a <see cref="FieldMapping"/> to one row; throws <see cref="FormatException"/> with a reason when it cannot.</summary>
internal static class RowMapper
{
    public static Problem Map(JsonObject row, FieldMapping mapping, string fallbackId)
    {
        var prompt = MultiTurnPrompt(row, mapping.PromptFields) ?? FirstText(row, mapping.PromptFields, chatRole: "user")
                     ?? throw new FormatException($"no prompt field ({string.Join(", ", mapping.PromptFields)})");
        var answerNode = FirstNode(row, mapping.AnswerFields)
                         ?? throw new FormatException($"no answer field ({string.Join(", ", mapping.AnswerFields)})");
        var answer = ReadAnswer(answerNode, mapping.AnswerSource);
        if (string.IsNullOrWhiteSpace(answer)) throw new FormatException("empty answer");
        var id = mapping.IdFields is null ? null : FirstText(row, mapping.IdFields, chatRole: null);
        var demonstration = mapping.DemonstrationFields is null ? null : FirstText(row, mapping.DemonstrationFields, chatRole: "assistant");
        return new Problem(string.IsNullOrEmpty(id) ? fallbackId : id, prompt, answer, demonstration);
    }

    private static string ReadAnswer(JsonNode node, AnswerSource source)
    {
        switch (source)
        {
            case AnswerSource.Field:
            {
                var text = Text(node, null)?.Trim() ?? throw new FormatException("answer is not text or a number");
                // HPT's eval files store "\boxed{204}": the answer is the box's content.
                if (text.StartsWith("\\boxed{", StringComparison.Ordinal) && Braces.MatchingClose(text, 6) == text.Length - 1)
                    text = text[7..^1];
                return text;
            }
            case AnswerSource.LastBoxedInField:
            {
                var solution = Text(node, null) ?? throw new FormatException("solution is not text");
                return AnswerExtractor.Extract(solution, VerifierMode.Strict)?.Text
                       ?? throw new FormatException("solution has no \\boxed{} answer");
            }
            case AnswerSource.AfterHashMarks:
            {
                var solution = Text(node, null) ?? throw new FormatException("solution is not text");
                var at = solution.LastIndexOf("####", StringComparison.Ordinal);
                if (at < 0) throw new FormatException("solution has no '####' answer");
                return solution[(at + 4)..].Trim().Replace(",", "");
            }
            case AnswerSource.FirstOfList:
            {
                var first = node is JsonArray { Count: > 0 } list ? list[0] : node;
                var text = first is null ? null : Text(first, null);
                return text?.Trim().Trim('$').Trim() ?? throw new FormatException("answer list is empty");
            }
            default:
                throw new FormatException($"unknown answer source {source}");
        }
    }

    private static JsonNode? FirstNode(JsonObject row, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            JsonNode? node = row;
            foreach (var part in path.Split('.'))
            {
                node = node is JsonObject obj && obj.TryGetPropertyValue(part, out var child) ? child : null;
                if (node is null) break;
            }
            if (node is not null) return node;
        }
        return null;
    }

    private static string? FirstText(JsonObject row, IEnumerable<string> paths, string? chatRole)
    {
        foreach (var path in paths)
        {
            var node = FirstNode(row, [path]);
            if (node is not null && Text(node, chatRole) is { Length: > 0 } text) return text;
        }
        return null;
    }

    /// <summary>
    /// A chat-list prompt with more than one non-system turn keeps all its turns, as a JSON list of {role, content} (the
    /// prompt codec renders it with the model's chat template). A single user turn, with or without a system message,
    /// is read as that turn's text: HPT drops the data's system message for the configured one.
    /// </summary>
    private static string? MultiTurnPrompt(JsonObject row, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (FirstNode(row, [path]) is not JsonArray list) continue;
            var turns = new JsonArray();
            foreach (var m in list)
            {
                if (m is not JsonObject msg || msg["role"] is not JsonValue role || role.GetValueKind() != JsonValueKind.String
                    || msg["content"] is not JsonValue content || content.GetValueKind() != JsonValueKind.String) return null;
                turns.Add(new JsonObject { ["role"] = role.GetValue<string>(), ["content"] = content.GetValue<string>() });
            }
            return turns.Count(t => t!["role"]!.GetValue<string>() != "system") > 1 ? turns.ToJsonString() : null;
        }
        return null;
    }

    /// <summary>Strings as they are, numbers as integers when integral, chat lists as the last matching message.</summary>
    internal static string? Text(JsonNode node, string? chatRole)
    {
        switch (node)
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
            {
                var d = v.GetValue<double>();
                return d == Math.Floor(d) && Math.Abs(d) < 1e15
                    ? ((long)d).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : v.ToJsonString();
            }
            case JsonArray messages:
            {
                string? last = null;
                foreach (var m in messages)
                {
                    if (m is JsonObject msg && msg["content"] is { } content && Text(content, null) is { } c
                        && (chatRole is null || msg["role"]?.GetValue<string>() is not { } role || role == chatRole))
                        last = c;
                    else if (m is JsonValue && Text(m, null) is { } s) last = s;
                }
                return last;
            }
            default:
                return null;
        }
    }
}
