using Hpt.Model.Tokenizers;

namespace Hpt.Actors.Settings;

/// <summary>`hpt.task.chat-template` and `hpt.task.system-prompt`: how prompts are rendered for a model folder.</summary>
public sealed record PromptSettings(string ChatTemplate, string SystemPrompt)
{
    public static PromptSettings Default { get; } = new("auto", PromptFormat.PaperSystemPrompt);

    public static PromptSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.task");
        var mode = r.String("chat-template");
        if (mode is not ("auto" or "none")) throw new SettingsException(r.Key("chat-template"), $"'{mode}' is not one of auto, none");
        return new PromptSettings(mode, r.String("system-prompt"));
    }
}
