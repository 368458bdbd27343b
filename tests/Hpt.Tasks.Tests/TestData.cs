namespace Hpt.Tasks.Tests;

/// <summary>
/// Locates test data: the full shared data set (shared/data, found by walking up from the test binary) when it is
/// there, else the small copies under Data/ that ship with the repository (CI clones have no shared/).
/// </summary>
internal static class TestData
{
    private static readonly Lazy<string?> Shared = new(FindShared);

    public static string? SharedDirectory => Shared.Value;

    /// <summary>Path of a shared file if present, else of the repository copy.</summary>
    public static string Resolve(string sharedRelative, string copyName)
    {
        if (SharedDirectory is { } dir)
        {
            var path = Path.Combine(dir, sharedRelative);
            if (File.Exists(path)) return path;
        }
        return Copy(copyName);
    }

    public static string Copy(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    private static string? FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
