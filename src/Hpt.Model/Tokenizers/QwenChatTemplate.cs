using System.Text;

namespace Hpt.Model.Tokenizers;

/// <summary>
/// The Qwen2.5 (ChatML) chat template as plain string building: <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>
/// per turn, then <c>&lt;|im_start|&gt;assistant\n</c> as the generation prompt. Without a system turn the math
/// system prompt below is inserted, as in Qwen2.5-Math-Instruct and the paper's setup.
/// </summary>
public static class QwenChatTemplate
{
    public const string DefaultSystemPrompt = "Please reason step by step, and put your final answer within \\boxed{}.";
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    public static string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true, string? defaultSystemPrompt = DefaultSystemPrompt)
    {
        var sb = new StringBuilder();
        if ((messages.Count == 0 || messages[0].Role != "system") && defaultSystemPrompt is not null)
            Turn(sb, "system", defaultSystemPrompt);
        foreach (var m in messages) Turn(sb, m.Role, m.Content);
        if (addGenerationPrompt) sb.Append(ImStart).Append("assistant\n");
        return sb.ToString();
    }

    /// <summary>The usual RL prompt: system prompt, one user question, generation prompt.</summary>
    public static string Prompt(string question, string? systemPrompt = DefaultSystemPrompt) =>
        Render(systemPrompt is null ? [ChatMessage.User(question)] : [ChatMessage.System(systemPrompt), ChatMessage.User(question)], true, null);

    private static void Turn(StringBuilder sb, string role, string content) =>
        sb.Append(ImStart).Append(role).Append('\n').Append(content).Append(ImEnd).Append('\n');
}
