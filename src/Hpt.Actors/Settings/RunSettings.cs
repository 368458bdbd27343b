namespace Hpt.Actors.Settings;

/// <summary>`hpt.run`: identity, directory and seed of a run.</summary>
public sealed record RunSettings(string Id, string Directory, int Seed, int TorchThreads)
{
    public static RunSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.run");
        var id = r.String("id");
        if (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new SettingsException(r.Key("id"), $"'{id}' must be non-empty letters, digits, '-', '_' or '.'");
        return new RunSettings(id, r.String("dir"), r.Int("seed"), r.Int("torch-threads", min: 0));
    }
}
