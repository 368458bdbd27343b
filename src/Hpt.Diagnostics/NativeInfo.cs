using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using Hpt.Model;

namespace Hpt.Diagnostics;

/// <summary>
/// Facts about the native side, read without TorchSharp where TorchSharp binds nothing: the build's backend (assembly
/// metadata written by build/TorchSharp.targets), the libraries the process has mapped (/proc/self/maps), the libtorch
/// version found beside them (PyTorch's torch/version.py, a libtorch build-version file, or the NuGet folder name),
/// and the NVIDIA driver's own view (libcuda.so.1: driver version, devices, name, memory, compute capability).
/// </summary>
public static partial class NativeInfo
{
    /// <summary>cpu, cuda or external: the -p:TorchBackend the Hpt.Model assembly was built with.</summary>
    public static string Backend =>
        typeof(NativeInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "HptTorchBackend")?.Value ?? "unknown";

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The libtorch version TorchSharp was built against (a constant in TorchSharp, not the loaded library).</summary>
    public static string LibTorchCompiledFor
    {
        get { try { return torch.__version__; } catch (Exception e) when (e is TypeInitializationException or DllNotFoundException) { return "unknown"; } }
    }

    /// <summary>Full paths of the mapped shared objects whose file name starts with <paramref name="prefix"/> (e.g. "libtorch_cpu").</summary>
    public static IReadOnlyList<string> MappedLibraries(string prefix)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return [];
        var found = new List<string>();
        foreach (var line in File.ReadLines(maps))
        {
            var slash = line.IndexOf('/');
            if (slash < 0) continue;
            var path = line[slash..].Trim();
            var name = Path.GetFileName(path);
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.Contains(".so", StringComparison.Ordinal) && !found.Contains(path))
                found.Add(path);
        }
        return found;
    }

    /// <summary>The version of the libtorch at <paramref name="libtorchCpuPath"/> and, for a PyTorch install, its CUDA version.</summary>
    public static (string Version, string? Cuda) LibTorchVersionAt(string libtorchCpuPath)
    {
        var lib = Path.GetDirectoryName(libtorchCpuPath) ?? ".";
        var versionPy = Path.Combine(lib, "..", "version.py"); // site-packages/torch/lib/.. = torch/
        if (File.Exists(versionPy))
        {
            var text = File.ReadAllText(versionPy);
            var v = VersionPy().Match(text);
            var c = CudaPy().Match(text);
            if (v.Success) return (v.Groups[1].Value + " (PyTorch)", c.Success ? c.Groups[1].Value : null);
        }
        var buildVersion = Path.Combine(lib, "..", "build-version"); // libtorch zip layout
        if (File.Exists(buildVersion)) return (File.ReadAllText(buildVersion).Trim() + " (libtorch)", null);
        var nuget = NuGetFolder().Match(libtorchCpuPath.Replace('\\', '/'));
        if (nuget.Success) return ($"{nuget.Groups[2].Value} (NuGet {nuget.Groups[1].Value})", null);
        var app = Path.GetFullPath(AppContext.BaseDirectory);
        if (Path.GetFullPath(lib).StartsWith(app, StringComparison.Ordinal)) return ($"{LibTorchCompiledFor} (bundled with the app)", null);
        return ("unknown", null);
    }

    [GeneratedRegex(@"^__version__\s*=\s*['""]([^'""]+)['""]", RegexOptions.Multiline)]
    private static partial Regex VersionPy();

    [GeneratedRegex(@"^cuda\s*(?::[^=]*)?=\s*['""]([^'""]+)['""]", RegexOptions.Multiline)]
    private static partial Regex CudaPy();

    [GeneratedRegex(@"/(libtorch-[^/]+)/(\d+\.\d+\.\d+[^/]*)/")]
    private static partial Regex NuGetFolder();

    /// <summary>
    /// The loader's view when the native backend or CUDA did not initialise: TorchSharp's own trace, then what dlopen says
    /// about each library in the chain (the message names the first missing file or symbol), LD_LIBRARY_PATH and the
    /// libraries mapped so far.
    /// </summary>
    public static string LoaderTrace(Exception? failure)
    {
        var sb = new StringBuilder();
        for (var e = failure; e is not null; e = e.InnerException)
            if (!string.IsNullOrWhiteSpace(e.Message)) sb.AppendLine(e.Message.Trim());
        sb.AppendLine($"LD_LIBRARY_PATH={Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "(unset)"}");
        if (Backend == "external")
            sb.AppendLine("hint: the external backend takes libtorch from LD_LIBRARY_PATH, e.g. PyTorch's torch/lib folder");
        Probe(sb, "LibTorchSharp (beside TorchSharp.dll)", () => NativeLibrary.Load("LibTorchSharp", typeof(torch).Assembly, null));
        foreach (var name in new[] { "libtorch.so", "libtorch_cuda.so", "libc10_cuda.so" })
            Probe(sb, name, () => NativeLibrary.Load(name));
        foreach (var prefix in new[] { "libLibTorchSharp", "libtorch", "libc10", "libcudart", "libcuda." })
            foreach (var path in MappedLibraries(prefix)) sb.AppendLine($"mapped {path}");
        var fallback = Path.Combine(Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? ".", "cpu");
        if (Directory.Exists(fallback))
            sb.AppendLine($"note: TorchSharp's fallback copied NuGet natives into {fallback}; delete that folder");
        return sb.ToString().TrimEnd();
    }

    private static void Probe(StringBuilder sb, string label, Func<IntPtr> load)
    {
        try
        {
            load();
            sb.AppendLine($"dlopen {label}: ok");
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // .NET's message repeats a generic hint before dlerror's text; keep the dlerror lines.
            var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => !l.StartsWith("Unable to load shared library", StringComparison.Ordinal)).ToList();
            sb.AppendLine($"dlopen {label}: {(lines.Count > 0 ? string.Join(" | ", lines) : e.Message.Trim())}");
        }
    }
}
