namespace Hpt.Actors.Cluster;

/// <summary>
/// What a node's admission fingerprints (<see cref="NodeAdmission"/>) are made of, key by key: the settings that shape
/// generation, and on a learner node the run's (run.json settings, hpt.run.id, the data file). The roles carry only
/// hashes; a refused node gets these entries from the member that refused it (<see cref="JoinRefused"/>), so its error
/// names the keys that differ and both values instead of two hashes. No secret is among them (no persistence keys).
/// </summary>
public sealed record AdmissionSettings(IReadOnlyDictionary<string, string> Generation, IReadOnlyDictionary<string, string>? Run)
{
    /// <summary>Nothing known (specs that give admission roles by hand): differences are named by fingerprint only.</summary>
    public static readonly AdmissionSettings None = new(new Dictionary<string, string>(), null);

    /// <summary>
    /// The keys whose values differ between this node's settings and <paramref name="other"/>'s, with both values:
    /// the generation keys always, the run's only between two learner nodes (a rollout node has no run). Empty when
    /// either side knows no entries.
    /// </summary>
    public IReadOnlyList<string> Differences(AdmissionSettings other)
    {
        var found = new List<string>();
        var named = new HashSet<string>(StringComparer.Ordinal); // a key in both sections is named once
        Compare(Generation, other.Generation, found, named);
        if (Run is { } mine && other.Run is { } theirs) Compare(mine, theirs, found, named);
        return found;
    }

    private static void Compare(IReadOnlyDictionary<string, string> here, IReadOnlyDictionary<string, string> there, List<string> found,
        HashSet<string> named)
    {
        if (here.Count == 0 || there.Count == 0) return;
        foreach (var key in here.Keys.Union(there.Keys).Order(StringComparer.Ordinal))
        {
            var a = here.GetValueOrDefault(key);
            var b = there.GetValueOrDefault(key);
            if (a != b && named.Add(key)) found.Add($"{key} = {Show(a)} here, {Show(b)} there");
        }
    }

    private static string Show(string? value) => value is null ? "(not set)" : $"'{value}'";
}
