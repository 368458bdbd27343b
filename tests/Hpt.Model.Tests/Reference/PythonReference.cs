using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Hpt.Model.Tests.Reference;

/// <summary>
/// Runs <c>hf_decoder_reference.py</c>, an independent PyTorch implementation of Hugging Face's decoder forward, on a
/// model folder. Needs a python3 with torch (Debian's python3-torch; tools/setup.sh installs it).
/// </summary>
internal static class PythonReference
{
    public sealed record Result(float[][][] Logits, float[] InvFreq, double AttentionScaling);

    private static readonly Lazy<string?> Python = new(() =>
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo(candidate, "-c \"import torch, numpy\"")
                    { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
                p.WaitForExit(60_000);
                if (p.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return null;
    });

    /// <summary>The interpreter, or null when no python3 on this machine has torch (the caller reports a skip).</summary>
    public static string? Interpreter => Python.Value;

    public static Result Run(string modelFolder, int[][] ids)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Reference", "hf_decoder_reference.py");
        var psi = new ProcessStartInfo(Interpreter ?? throw new InvalidOperationException("no python3 with torch"))
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false), StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(modelFolder);
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(JsonSerializer.Serialize(new { ids }));
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "the python reference timed out");
        Assert.True(p.ExitCode == 0, "the python reference failed: " + stderr.Result[..Math.Min(3000, stderr.Result.Length)]);
        using var doc = JsonDocument.Parse(stdout.Result);
        var root = doc.RootElement;
        var logits = root.GetProperty("logits").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(pos => pos.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray()).ToArray();
        return new Result(logits, root.GetProperty("inv_freq").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
            root.GetProperty("attention_scaling").GetDouble());
    }
}
