using System.Text.Json;

namespace Hpt.Model.Tokenizers;

/// <summary>
/// Finds a model folder's chat template (<c>tokenizer_config.json</c>'s <c>chat_template</c>, a string or a list of
/// named templates, or a <c>chat_template.jinja</c> file) and recognises its family by the special tokens it writes.
/// </summary>
public static class ChatTemplates
{
    /// <summary>The Jinja source of the folder's chat template, or null when it has none.</summary>
    public static string? ReadSource(string folder)
    {
        var jinja = Path.Combine(folder, "chat_template.jinja");
        var config = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(config))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(config));
            if (doc.RootElement.TryGetProperty("chat_template", out var t))
            {
                if (t.ValueKind == JsonValueKind.String) return t.GetString();
                if (t.ValueKind == JsonValueKind.Array)
                    foreach (var named in t.EnumerateArray())
                        if (named.TryGetProperty("name", out var n) && n.GetString() == "default" && named.TryGetProperty("template", out var tt))
                            return tt.GetString();
            }
        }
        return File.Exists(jinja) ? File.ReadAllText(jinja) : null;
    }

    /// <summary>The family of <paramref name="source"/>; throws <see cref="NotSupportedException"/> naming <paramref name="where"/> when unknown.</summary>
    public static ChatTemplate Detect(string source, string where)
    {
        if (source.Contains(ChatMlTemplate.ImStart, StringComparison.Ordinal) && source.Contains(ChatMlTemplate.ImEnd, StringComparison.Ordinal))
            return new ChatMlTemplate();
        if (source.Contains("<|start_header_id|>", StringComparison.Ordinal) && source.Contains(Llama3ChatTemplate.EotId, StringComparison.Ordinal))
            return new Llama3ChatTemplate(knowledgeDateHeader: source.Contains("Cutting Knowledge Date", StringComparison.Ordinal));
        throw new NotSupportedException(
            $"the chat template in {where} is not one this program renders (it knows the Qwen/ChatML and Llama-3 forms); " +
            "set hpt.task.chat-template = none to use bare prompts");
    }
}
