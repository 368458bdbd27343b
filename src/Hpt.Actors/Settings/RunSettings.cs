namespace Hpt.Actors.Settings;

/// <summary>`hpt.run`: identity, directory and seed of a run.</summary>
public sealed record RunSettings(string Id, string Directory, int Seed, int TorchThreads)
{
    /// <summary>hpt.run.allow-empty-journal: start again from step 0 although the directory has later checkpoints.</summary>
    public required bool AllowEmptyJournal { get; init; }

    /// <summary>hpt.run.min-free-space: bytes that must be free in the run and weights directories at start.</summary>
    public required long MinFreeSpace { get; init; }

    public static RunSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.run");
        var dir = r.String("dir");
        if (dir.Trim().Length == 0) throw new SettingsException(r.Key("dir"), "must name a directory");
        var id = r.String("id");
        // Two runs in two directories get two journals even on one shared PostgreSQL: the id follows the directory.
        var fromDir = id.Length == 0;
        if (fromDir)
            id = new string(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)))
                .Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
        if (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new SettingsException(r.Key("id"), fromDir
                ? $"the run directory's name '{id}' is not a usable run id (letters, digits, '-', '_' or '.'); set hpt.run.id"
                : $"'{id}' must be non-empty letters, digits, '-', '_' or '.'");
        return new RunSettings(id, dir, r.Int("seed"), r.Int("torch-threads", min: 0))
        {
            AllowEmptyJournal = r.Bool("allow-empty-journal"),
            MinFreeSpace = r.Bytes("min-free-space", min: 0, max: long.MaxValue),
        };
    }
}
