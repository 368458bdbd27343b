namespace Hpt.Actors.Settings;

/// <summary>`hpt.task.chat-template` and `hpt.task.system-prompt`: how prompts are rendered for a model folder.</summary>
public sealed record PromptSettings(string ChatTemplate, string SystemPrompt)
{
    /// <summary>The settings hocon/ gives with nothing overridden: the folder's chat template and the paper's system prompt.</summary>
    public static PromptSettings Default => Create(HptConfig.Reference);

    public static PromptSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.task");
        var mode = r.String("chat-template");
        if (mode is not ("auto" or "none")) throw new SettingsException(r.Key("chat-template"), $"'{mode}' is not one of auto, none");
        return new PromptSettings(mode, r.String("system-prompt"));
    }
}
