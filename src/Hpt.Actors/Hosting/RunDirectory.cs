using System.Text.Json;
using Akka.Configuration;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Hosting;

/// <summary>
/// A run's folder: journal, checkpoints, metrics, report. The first start writes run.json with the settings that
/// shape the trained weights; a restart with different ones is refused, naming the keys, so a resume never mixes
/// two configurations (the steps total may grow: that is how a run is extended).
/// </summary>
public sealed class RunDirectory
{
    private static readonly string[] FingerprintSections =
        ["hpt.algorithm", "hpt.model", "hpt.task", "hpt.pipeline", "hpt.learner", "hpt.rollout", "hpt.run.seed"];
    private static readonly string[] MayChange = ["hpt.pipeline.total-steps", "hpt.pipeline.verifier-timeout", "hpt.pipeline.verifiers", "hpt.rollout.devices",
        "hpt.pipeline.max-attempts", "hpt.pipeline.after-max-attempts", "hpt.pipeline.work-timeout", "hpt.pipeline.stall-warning", "hpt.pipeline.stall-abort"];

    /// <summary>True for the run.json entries a resume may change (a standby learner may differ in them too).</summary>
    public static bool MayDiffer(string key) => MayChange.Contains(key);

    /// <summary>Entries that run.json files of older builds lack: absent there, they are not compared.</summary>
    private static readonly string[] AddedLater = [RunIdKey, DataFileKey, "hpt.pipeline.max-attempts", "hpt.pipeline.after-max-attempts",
        "hpt.task.eval-protocol"];

    /// <summary>The run's id (hpt.run.id, or the directory's name): a resume under another id would start a second journal.</summary>
    public const string RunIdKey = "hpt.run.id";

    /// <summary>Size and SHA-256 of the data file named by hpt.task.name: the same path with other rows is another run.</summary>
    public const string DataFileKey = "hpt.task.data-file";

    public RunDirectory(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string Checkpoints => System.IO.Path.Combine(Path, "checkpoints");
    public string RunFile => System.IO.Path.Combine(Path, "run.json");
    public string EvalBeforeFile => System.IO.Path.Combine(Path, "eval-before.json");
    public string EvalAfterFile => System.IO.Path.Combine(Path, "eval-after.json");
    /// <summary>The running pipeline's report (<see cref="Protocol.PipelineReport"/>), rewritten every few seconds; `hpt status` reads it.</summary>
    public string StatusFile => System.IO.Path.Combine(Path, StatusFileName);
    public const string StatusFileName = "status.json";
    /// <summary>The trained model as a Hugging Face folder, written when the run completes.</summary>
    public string FinalModel => System.IO.Path.Combine(Path, "final");

    public bool IsNew => !File.Exists(RunFile);

    /// <summary>Creates the folder and run.json, or checks that run.json matches this configuration.</summary>
    public void Claim(Config config)
    {
        var current = Fingerprint(config);
        try
        {
            Directory.CreateDirectory(Path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"cannot create the run directory {Path}: {e.Message}", e);
        }
        if (IsNew)
        {
            WriteAtomically(RunFile, JsonSerializer.SerializeToUtf8Bytes(current, new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        var stored = JsonSerializer.Deserialize<SortedDictionary<string, string>>(File.ReadAllBytes(RunFile))
                     ?? throw new InvalidDataException($"{RunFile} is empty");
        var differing = stored.Keys.Union(current.Keys)
            .Where(k => !MayChange.Contains(k) && !(AddedLater.Contains(k) && !stored.ContainsKey(k))
                        && stored.GetValueOrDefault(k) != current.GetValueOrDefault(k))
            .ToArray();
        if (differing.Length > 0)
            throw new SettingsException(differing[0],
                $"the run directory {Path} was written by another configuration ({string.Join(", ", differing.Select(k => $"{k}: '{stored.GetValueOrDefault(k)}' -> '{current.GetValueOrDefault(k)}'"))}); " +
                "use another hpt.run.dir or the same settings");
    }

    public static SortedDictionary<string, string> Fingerprint(Config config)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in HptConfig.Paths(config).Where(p => FingerprintSections.Any(s => p == s || p.StartsWith(s + ".", StringComparison.Ordinal))))
            result[path] = config.GetValue(path).ToString();
        result[RunIdKey] = RunSettings.Create(config).Id;
        var data = new SettingsReader(config, "hpt.task").String("name");
        if (File.Exists(data)) result[DataFileKey] = DataFileFingerprint.Of(data);
        return result;
    }

    /// <summary>A stable short hash of <see cref="Fingerprint"/> (stored in checkpoint manifests).</summary>
    public static string FingerprintHash(Config config)
    {
        var text = string.Join("\n", Fingerprint(config).Select(kv => $"{kv.Key}={kv.Value}"));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16];
    }

    public static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
