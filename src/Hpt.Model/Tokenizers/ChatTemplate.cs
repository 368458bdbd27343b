namespace Hpt.Model.Tokenizers;

/// <summary>
/// A model family's chat format rendered in C# (no Jinja engine): the string Hugging Face's
/// <c>apply_chat_template(messages, add_generation_prompt)</c> gives for plain system/user/assistant turns, without the
/// BOS token (the prompt codec prepends it when the tokenizer has one). <see cref="ChatTemplates.Detect"/> picks one.
/// </summary>
public abstract class ChatTemplate
{
    /// <summary>"chatml" or "llama3"; shown at start-up.</summary>
    public abstract string Name { get; }

    /// <summary>The token that closes a turn: a demonstration ends with it, as the model's own answers do.</summary>
    public abstract string EndOfTurn { get; }

    public abstract string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);
}
