namespace Hpt.Model.Tokenizers;

/// <summary>
/// How a task's prompt text becomes the model's input text: rendered with the model's chat template (a system turn
/// with <see cref="SystemPrompt"/> unless the prompt brings its own, the user turn or the prompt's own turns, then the
/// generation prompt), or passed through bare when there is no template.
/// </summary>
public sealed record PromptFormat(ChatTemplate? Template, string? SystemPrompt)
{
    public static PromptFormat Bare { get; } = new(null, null);

    /// <summary>The paper's system prompt (Qwen2.5-Math's default; HPT trains and evaluates with it).</summary>
    public const string PaperSystemPrompt = "Please reason step by step, and put your final answer within \\boxed{}.";

    /// <summary>
    /// For a model folder: its template when <paramref name="mode"/> is "auto" and it has one (an unrecognised one
    /// throws), bare text for "none" or a folder without a template.
    /// </summary>
    public static PromptFormat ForFolder(string folder, string mode, string? systemPrompt)
    {
        if (mode == "none") return Bare;
        if (mode != "auto") throw new ArgumentException($"chat-template must be auto or none (got '{mode}')");
        var source = ChatTemplates.ReadSource(folder);
        return source is null ? Bare : new PromptFormat(ChatTemplates.Detect(source, Path.Combine(folder, "tokenizer_config.json")), systemPrompt);
    }

    public string Render(string prompt)
    {
        if (Template is null) return ChatPrompt.TryParse(prompt, out var turns) ? string.Join("\n\n", turns.Select(t => t.Content)) : prompt;
        var messages = ChatPrompt.TryParse(prompt, out var m) ? m : [ChatMessage.User(prompt)];
        if (!string.IsNullOrEmpty(SystemPrompt) && messages[0].Role != "system") messages = [ChatMessage.System(SystemPrompt), .. messages];
        return Template.Render(messages, addGenerationPrompt: true);
    }

    /// <summary>"chatml (system prompt: ...)" or "none"; for the start-up line.</summary>
    public string Describe() => Template is null ? "none (bare prompts)" :
        $"{Template.Name}, system prompt {(string.IsNullOrEmpty(SystemPrompt) ? "none" : "\"" + SystemPrompt + "\"")}";
}
