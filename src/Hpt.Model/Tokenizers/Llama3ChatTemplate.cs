using System.Text;

namespace Hpt.Model.Tokenizers;

/// <summary>
/// Llama-3 chat format: <c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\ncontent&lt;|eot_id|&gt;</c> per turn
/// (contents trimmed, as the template's <c>| trim</c> does), then the assistant header. Llama-3.1 and later templates
/// always open with a system turn carrying "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" before
/// the system text; the date is the templates' fixed default, never today's, so a run renders the same prompts on
/// any day (3.2's template would use today's date when the renderer offers strftime_now).
/// </summary>
public sealed class Llama3ChatTemplate(bool knowledgeDateHeader) : ChatTemplate
{
    public const string EotId = "<|eot_id|>";
    public const string DateHeader = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n";

    public bool KnowledgeDateHeader { get; } = knowledgeDateHeader;
    public override string Name => KnowledgeDateHeader ? "llama3.1" : "llama3";
    public override string EndOfTurn => EotId;

    public override string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var sb = new StringBuilder();
        var rest = messages;
        if (KnowledgeDateHeader)
        {
            var system = messages.Count > 0 && messages[0].Role == "system" ? messages[0].Content.Trim() : "";
            Turn(sb, "system", DateHeader + system);
            rest = messages.Count > 0 && messages[0].Role == "system" ? messages.Skip(1).ToList() : messages;
        }
        foreach (var m in rest) Turn(sb, m.Role, m.Content.Trim());
        if (addGenerationPrompt) sb.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        return sb.ToString();
    }

    private static void Turn(StringBuilder sb, string role, string content) =>
        sb.Append("<|start_header_id|>").Append(role).Append("<|end_header_id|>\n\n").Append(content).Append(EotId);
}
