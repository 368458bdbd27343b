using System.CommandLine;

namespace Hpt.Cli.Commands;

/// <summary>The options every training-like command shares: a configuration file and key=value overrides.</summary>
public sealed class TrainOptions
{
    public Option<FileInfo?> Config { get; } = new("--config", "-c")
    {
        Description = "HOCON file with settings (see hocon/ for every key and its default).",
    };

    public Option<string[]> Set { get; } = new("--set", "-s")
    {
        Description = "Override one setting, e.g. --set pipeline.max-staleness=0 (repeatable; the hpt. prefix is optional).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> RunDir { get; } = new("--run-dir")
    {
        Description = "Run directory (journal, checkpoints, metrics, report). Same directory = resume.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Set);
        command.Options.Add(RunDir);
    }

    public Akka.Configuration.Config Load(ParseResult parsed, params string[] defaults)
    {
        var overrides = new List<string>(defaults);
        overrides.AddRange(parsed.GetValue(Set) ?? []);
        if (parsed.GetValue(RunDir) is { } dir) overrides.Add($"run.dir={dir}");
        var file = parsed.GetValue(Config);
        if (file is not null && !file.Exists) throw new FileNotFoundException($"configuration file not found: {file.FullName}");
        return Hpt.Actors.Settings.HptConfig.Load(file?.FullName, overrides);
    }
}
