using System.Text;
using System.Text.Json;
using Hpt.Model;

namespace Hpt.Diagnostics;

/// <summary>All results of one <see cref="GpuCheck.Run"/> plus the environment; <see cref="ToJson"/> is the command's final line.</summary>
public sealed record GpuCheckReport(
    string Backend,
    string TorchSharp,
    string LibTorchCompiledFor,
    string LibTorchRuntime,
    string? LibTorchPath,
    bool CudaAvailable,
    string? CudaDriver,
    string? CudaRuntime,
    string? DeviceName,
    bool Quick,
    IReadOnlyList<CheckResult> Checks)
{
    public bool Ok => Checks.All(c => !c.Failed);
    public int ExitCode => Ok ? 0 : 1;

    public CheckResult? Find(string name) => Checks.FirstOrDefault(c => c.Name == name);

    /// <summary>One line of JSON with every figure (the benchmark convention: readable lines, then one JSON line).</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("tool", "gpu-check");
            w.WriteBoolean("ok", Ok);
            w.WriteBoolean("quick", Quick);
            w.WriteString("backend", Backend);
            w.WriteString("torchsharp", TorchSharp);
            w.WriteString("libtorch_compiled_for", LibTorchCompiledFor);
            w.WriteString("libtorch_runtime", LibTorchRuntime);
            WriteNullable(w, "libtorch_path", LibTorchPath);
            w.WriteBoolean("cuda_available", CudaAvailable);
            WriteNullable(w, "cuda_driver", CudaDriver);
            WriteNullable(w, "cuda_runtime", CudaRuntime);
            WriteNullable(w, "device_name", DeviceName);
            w.WriteStartArray("checks");
            foreach (var c in Checks) c.WriteJson(w);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name); else w.WriteString(name, value);
    }
}
