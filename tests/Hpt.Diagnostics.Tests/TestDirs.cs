namespace Hpt.Diagnostics.Tests;

/// <summary>Fresh folders under this test run's temp root, deleted when the run ends.</summary>
internal static class TestDirs
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "hpt-diagnostics-tests-" + Guid.NewGuid().ToString("N"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, recursive: true); } catch (IOException) { } };
        return root;
    });

    public static string TempDir()
    {
        var dir = Path.Combine(Root.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
