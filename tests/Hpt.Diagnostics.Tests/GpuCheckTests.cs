using System.Text.Json;
using Hpt.Diagnostics;
using Hpt.Model;

namespace Hpt.Diagnostics.Tests;

/// <summary>The SDPA check flips libtorch's process-wide flash/math switches, so these run alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(GpuCheckTests), DisableParallelization = true)]
public sealed class GpuCheckCollection;

/// <summary>
/// <c>hpt gpu-check</c>'s logic on the CPU: on a host without CUDA the CUDA initialisation is skipped and every numeric
/// check runs on the CPU (device against CPU becomes CPU against CPU), exercising the code the GPU machine runs.
/// </summary>
[Collection(nameof(GpuCheckTests))]
public sealed class GpuCheckTests
{
    private static readonly bool HostHasCuda = CudaDriver.Probe().HasDevice;

    /// <summary>Small sizes: the whole run takes well under a second on two cores.</summary>
    private static GpuCheckOptions Small(string device = "cpu") => new()
    {
        Device = device,
        CpuMatmulSize = 128,
        MatmulRepeats = 2,
        CpuSdpa = (1, 2, 64, 32),
        Model = ModelConfig.Tiny(vocabSize: 64, hiddenSize: 32, layers: 2, heads: 4, kvHeads: 2),
        TrainBatch = 2,
        TrainSeq = 16,
        DecodeBatch = 2,
        DecodePrompt = 4,
        DecodeSteps = 6,
        TempDir = TestDirs.TempDir(),
    };

    /// <summary>One full CPU run shared by the tests that only read it.</summary>
    private static readonly Lazy<(GpuCheckReport Report, string Log, string TempDir)> FullRun = new(() =>
    {
        var log = new StringWriter();
        var options = Small("cpu");
        return (GpuCheck.Run(options, log), log.ToString(), options.TempDir!);
    });

    private static readonly string[] AllChecks = ["cuda_init", "backend", "tensor_op", "matmul_bf16", "sdpa_flash_vs_math", "train_step", "kv_decode", "safetensors"];

    [Fact]
    public void Cpu_run_passes_every_check_and_skips_cuda()
    {
        var (report, log, tempDir) = FullRun.Value;

        Assert.True(report.Ok, log);
        Assert.Equal(0, report.ExitCode);
        Assert.Equal(AllChecks, report.Checks.Select(c => c.Name));
        Assert.Equal(CheckStatus.Skipped, report.Find("cuda_init")!.Status);
        Assert.All(report.Checks.Skip(1), c => Assert.Equal(CheckStatus.Pass, c.Status));
        Assert.All(report.Checks.Skip(1), c => Assert.Equal("cpu", c.Device));
        Assert.False(report.CudaAvailable);
        Assert.All(report.Checks.SelectMany(c => c.Figures.Values), v => Assert.True(double.IsFinite(v)));

        // CPU against CPU: two models built from the same seed agree exactly; the cache matches a full forward.
        var train = report.Find("train_step")!.Figures;
        Assert.Equal(0, train["logits_max_abs_diff"]);
        Assert.Equal(0, train["loss_rel_diff"]);
        Assert.True(train["loss_after_step_device"] < train["loss_device"]);
        var decode = report.Find("kv_decode")!.Figures;
        Assert.Equal(0, decode["logits_vs_cpu_max_abs"]);
        Assert.True(decode["cache_vs_full_forward_max_abs"] < 1e-4);
        Assert.Equal(1.0, decode["greedy_prefix_agreement"]);
        Assert.True(report.Find("matmul_bf16")!.Figures["tflops"] > 0);
        Assert.True(report.Find("sdpa_flash_vs_math")!.Figures["flash_vs_fp32_max_abs"] < 5e-2);
        Assert.Empty(Directory.GetFiles(tempDir)); // the round-trip file is deleted

        Assert.Contains("[skip] cuda_init", log);
        Assert.Contains("[pass] matmul_bf16", log);
    }

    [Fact]
    public void Json_line_holds_the_environment_and_every_figure()
    {
        var json = FullRun.Value.Report.ToJson();
        Assert.DoesNotContain('\n', json);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("gpu-check", root.GetProperty("tool").GetString());
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal(NativeInfo.Backend, root.GetProperty("backend").GetString());
        Assert.Equal("0.107.0", root.GetProperty("torchsharp").GetString());
        Assert.StartsWith("2.", root.GetProperty("libtorch_compiled_for").GetString());
        Assert.False(root.GetProperty("cuda_available").GetBoolean());
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(AllChecks, checks.Select(c => c.GetProperty("name").GetString()));
        var matmul = checks.Single(c => c.GetProperty("name").GetString() == "matmul_bf16");
        Assert.Equal("pass", matmul.GetProperty("status").GetString());
        Assert.Equal(128, matmul.GetProperty("figures").GetProperty("n").GetDouble());
        Assert.True(matmul.GetProperty("figures").GetProperty("tflops").GetDouble() > 0);
    }

    [Fact]
    public void Backend_names_the_build_switch_and_the_loaded_libtorch()
    {
        var report = GpuCheck.Run(Small("cpu") with { Quick = true });
        Assert.True(report.Ok);
        Assert.Equal(["cuda_init", "backend", "tensor_op"], report.Checks.Select(c => c.Name));
        Assert.Contains(NativeInfo.Backend, new[] { "cpu", "cuda", "external" });
        var backend = report.Find("backend")!;
        Assert.Contains("libtorch_path", backend.Info.Keys);
        Assert.EndsWith(".so", report.LibTorchPath);
        Assert.NotEqual("unknown", report.LibTorchRuntime);
        Assert.True(backend.Figures["threads"] >= 1);
    }

    [Fact]
    public void Auto_on_a_cpu_host_skips_cuda_and_still_runs_the_cpu_checks()
    {
        if (HostHasCuda) return; // a GPU host: covered by running hpt gpu-check there
        var report = GpuCheck.Run(Small("auto") with { Quick = true });
        Assert.True(report.Ok);
        var init = report.Find("cuda_init")!;
        Assert.Equal(CheckStatus.Skipped, init.Status);
        Assert.StartsWith("skipped: no CUDA", init.Detail);
        Assert.Equal(CheckStatus.Pass, report.Find("tensor_op")!.Status);
    }

    [Fact]
    public void Requiring_cuda_on_a_cpu_host_fails_with_the_loader_trace()
    {
        if (HostHasCuda) return; // a GPU host: covered by running hpt gpu-check there
        var report = GpuCheck.Run(Small("cuda") with { Quick = true });
        Assert.False(report.Ok);
        Assert.Equal(1, report.ExitCode);
        var init = report.Find("cuda_init")!;
        Assert.Equal(CheckStatus.Fail, init.Status);
        Assert.Contains("LD_LIBRARY_PATH=", init.Detail);
        Assert.Contains("dlopen libtorch_cuda.so", init.Detail);
        Assert.Contains("[FAIL] cuda_init", init.ToLine());
        Assert.Equal(CheckStatus.Pass, report.Find("tensor_op")!.Status); // the CPU side still runs
    }

    [Fact]
    public void A_check_outside_its_tolerance_fails_the_run()
    {
        var report = GpuCheck.Run(Small("cpu") with { Tolerances = new GpuCheckTolerances { MatmulRelative = 0 } });
        Assert.False(report.Ok);
        var matmul = report.Find("matmul_bf16")!;
        Assert.Equal(CheckStatus.Fail, matmul.Status);
        Assert.Contains("relative error", matmul.Detail);
        Assert.Equal(1, report.Checks.Count(c => c.Failed));
    }

    [Fact]
    public void An_unknown_device_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => GpuCheck.Run(Small("tpu")));
        Assert.Throws<ArgumentException>(() => GpuCheck.Run(Small("cuda:x")));
    }

    [Fact]
    public void Check_lines_and_json_survive_traces_and_non_finite_figures()
    {
        var r = new CheckResult("x", CheckStatus.Fail, "cuda:0", "first\nsecond", 1.5,
            new Dictionary<string, double> { ["nan"] = double.NaN, ["one"] = 1 }, new Dictionary<string, string> { ["k"] = "v" });
        Assert.Equal("[FAIL] x                  cuda:0  first (1.50 s)\n       second", r.ToLine());
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) r.WriteJson(w);
        using var doc = JsonDocument.Parse(ms.ToArray());
        Assert.Equal("NaN", doc.RootElement.GetProperty("figures").GetProperty("nan").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("figures").GetProperty("one").GetDouble());
        Assert.Equal("fail", doc.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void Libtorch_version_is_read_from_pytorch_libtorch_and_nuget_layouts()
    {
        var torchDir = Path.Combine(TestDirs.TempDir(), "site-packages", "torch");
        Directory.CreateDirectory(Path.Combine(torchDir, "lib"));
        File.WriteAllText(Path.Combine(torchDir, "version.py"),
            "from typing import Optional\n__version__ = '2.11.0+cu130'\ndebug = False\ncuda: Optional[str] = '13.0'\ngit_version = 'abc'\n");
        Assert.Equal(("2.11.0+cu130 (PyTorch)", "13.0"), NativeInfo.LibTorchVersionAt(Path.Combine(torchDir, "lib", "libtorch_cpu.so")));

        var zip = Path.Combine(TestDirs.TempDir(), "libtorch");
        Directory.CreateDirectory(Path.Combine(zip, "lib"));
        File.WriteAllText(Path.Combine(zip, "build-version"), "2.10.0+cpu\n");
        Assert.Equal(("2.10.0+cpu (libtorch)", (string?)null), NativeInfo.LibTorchVersionAt(Path.Combine(zip, "lib", "libtorch_cpu.so")));

        Assert.Equal(("2.10.0 (NuGet libtorch-cpu-linux-x64)", (string?)null),
            NativeInfo.LibTorchVersionAt("/root/.nuget/packages/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native/libtorch_cpu.so"));
    }
}
