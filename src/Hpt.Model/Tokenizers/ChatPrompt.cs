using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hpt.Model.Tokenizers;

/// <summary>
/// A multi-turn prompt carried as text through the pipeline: a JSON array of <c>{"role", "content"}</c> objects (what a
/// verl Parquet row's prompt column holds). Anything else is a plain user message.
/// </summary>
public static class ChatPrompt
{
    public static string Format(IReadOnlyList<ChatMessage> messages) =>
        new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray()).ToJsonString();

    public static bool TryParse(string prompt, out IReadOnlyList<ChatMessage> messages)
    {
        messages = [];
        var trimmed = prompt.AsSpan().TrimStart();
        if (trimmed.Length == 0 || trimmed[0] != '[') return false;
        try
        {
            if (JsonNode.Parse(prompt) is not JsonArray { Count: > 0 } array) return false;
            var list = new List<ChatMessage>(array.Count);
            foreach (var item in array)
            {
                if (item is not JsonObject o || o["role"] is not JsonValue r || o["content"] is not JsonValue c
                    || r.GetValueKind() != JsonValueKind.String || c.GetValueKind() != JsonValueKind.String) return false;
                list.Add(new ChatMessage(r.GetValue<string>(), c.GetValue<string>()));
            }
            messages = list;
            return true;
        }
        catch (JsonException) { return false; }
    }
}
