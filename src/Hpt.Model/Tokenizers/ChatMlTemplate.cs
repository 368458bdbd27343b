using System.Text;

namespace Hpt.Model.Tokenizers;

/// <summary>
/// Qwen2 / Qwen2.5 / Qwen3 (ChatML): <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per turn, then
/// <c>&lt;|im_start|&gt;assistant\n</c>. Like the Qwen templates for these turns: contents verbatim, no default system
/// turn added here (the caller supplies the configured system prompt). Qwen3's rewriting of earlier assistant turns'
/// &lt;think&gt; blocks is not reproduced: training prompts end in a user turn.
/// </summary>
public sealed class ChatMlTemplate : ChatTemplate
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    public override string Name => "chatml";
    public override string EndOfTurn => ImEnd;

    public override string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var sb = new StringBuilder();
        foreach (var m in messages) sb.Append(ImStart).Append(m.Role).Append('\n').Append(m.Content).Append(ImEnd).Append('\n');
        if (addGenerationPrompt) sb.Append(ImStart).Append("assistant\n");
        return sb.ToString();
    }
}
