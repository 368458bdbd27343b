using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Hpt.Model.Checkpoints;
using Hpt.Model.Sampling;
using Hpt.Model.Weights;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Hpt.Model;

namespace Hpt.Diagnostics;

/// <summary>
/// <c>hpt gpu-check</c>: does this binary, with the libtorch the loader finds, work on this machine's GPU? In order:
/// CUDA initialisation (the loader's trace on failure), backend and versions, one tiny op; then (unless quick) bf16
/// matmul TFLOP/s with its error against fp32, causal SDPA flash against math, a decoder train step and a KV-cache
/// decode on the device against the same on the CPU, and a safetensors round trip from device tensors.
/// Without CUDA the numeric checks run on the CPU (device against CPU is then CPU against CPU: two independently built
/// models must agree), so the same code is exercised by the test suite on a CPU-only machine.
/// </summary>
public static class GpuCheck
{
    public static GpuCheckReport Run(GpuCheckOptions o, TextWriter? log = null)
    {
        var wanted = o.Device.Trim().ToLowerInvariant();
        var requireCuda = wanted == "cuda" || wanted.StartsWith("cuda:", StringComparison.Ordinal);
        if (!requireCuda && wanted is not ("auto" or "cpu"))
            throw new ArgumentException($"--device must be auto, cpu, cuda or cuda:N (got '{o.Device}')");
        if (wanted.StartsWith("cuda:", StringComparison.Ordinal) && !int.TryParse(wanted["cuda:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new ArgumentException($"--device: '{o.Device}' is not cuda:N");
        var cudaName = wanted == "cuda" || !requireCuda ? "cuda:0" : wanted;

        var checks = new List<CheckResult>();
        void Add(CheckResult r) { checks.Add(r); log?.WriteLine(r.ToLine()); }

        // The driver first: it decides whether a CUDA backend that does not load is a failure (GPU host) or expected (CPU host).
        var driver = wanted == "cpu" ? new CudaDriverInfo(0, null, [], "--device cpu") : CudaDriver.Probe();
        var cuda = false;
        string? cudaRuntime = null;
        if (requireCuda || (wanted == "auto" && driver.HasDevice))
        {
            // Before any other TorchSharp call, so the CUDA backend is what loads the native libraries.
            var init = CudaInit(cudaName, driver, out cuda, out cudaRuntime);
            Add(init);
        }
        else
        {
            Add(CheckResult.Skipped("cuda_init", "cuda", wanted == "cpu" ? "--device cpu" : $"no CUDA ({driver.Error ?? "the driver reports no device"})"));
        }

        var backend = Backend(out var libtorchRuntime, out var libtorchPath, out var pyCuda);
        Add(backend);
        if (cuda) cudaRuntime ??= pyCuda; // PyTorch's build CUDA, when the runtime library could not be asked
        var device = cuda ? cudaName : "cpu";
        var deviceName = cuda ? driver.Devices.FirstOrDefault(d => $"cuda:{d.Ordinal}" == cudaName)?.Name : null;

        if (!backend.Failed)
        {
            Add(Measure("tensor_op", device, r => TensorOp(r, device)));
            if (!o.Quick)
            {
                Add(Measure("matmul_bf16", device, r => MatmulBf16(r, device, cuda ? o.CudaMatmulSize : o.CpuMatmulSize, o)));
                Add(Measure("sdpa_flash_vs_math", device, r => SdpaFlashVsMath(r, device, cuda ? o.CudaSdpa : o.CpuSdpa, o)));
                Add(Measure("train_step", device, r => TrainStep(r, device, o)));
                Add(Measure("kv_decode", device, r => KvDecode(r, device, o)));
                Add(Measure("safetensors", device, r => SafetensorsRoundTrip(r, device, o)));
            }
        }

        return new GpuCheckReport(NativeInfo.Backend, NativeInfo.TorchSharpVersion, NativeInfo.LibTorchCompiledFor, libtorchRuntime, libtorchPath,
            cuda, driver.DriverVersion, cudaRuntime, deviceName, o.Quick, checks);
    }

    // ---- checks ---------------------------------------------------------------------------------------------------

    private static CheckResult CudaInit(string cudaName, CudaDriverInfo driver, out bool cuda, out string? cudaRuntime)
    {
        var sw = Stopwatch.StartNew();
        var figures = new Dictionary<string, double> { ["driver_devices"] = driver.DeviceCount };
        var info = new Dictionary<string, string>();
        if (driver.DriverVersion is not null) info["driver"] = driver.DriverVersion;
        if (driver.Error is not null) info["driver_probe"] = driver.Error;
        cudaRuntime = null;
        Exception? trace = null;
        cuda = false;
        try { cuda = torch.TryInitializeDeviceType(DeviceType.CUDA); }
        catch (Exception e) { trace = e; }
        if (!cuda && trace is null)
        {
            try { torch.InitializeDeviceType(DeviceType.CUDA); } // throws with TorchSharp's load trace
            catch (Exception e) { trace = e; }
        }
        if (!cuda)
        {
            var why = driver.HasDevice ? "libtorch's CUDA backend did not initialise although the driver reports a device"
                                       : $"CUDA requested but not available ({driver.Error ?? "the driver reports no device"})";
            return new CheckResult("cuda_init", CheckStatus.Fail, cudaName, why + "\n" + NativeInfo.LoaderTrace(trace), sw.Elapsed.TotalSeconds, figures, info);
        }
        try
        {
            var count = torch.cuda.device_count();
            figures["torch_devices"] = count;
            var index = int.Parse(cudaName["cuda:".Length..], CultureInfo.InvariantCulture);
            info["cudnn"] = torch.cuda.is_cudnn_available() ? "available" : "not available";
            cudaRuntime = CudaRuntimeVersion();
            if (cudaRuntime is not null) info["cuda_runtime"] = cudaRuntime;
            var dev = driver.Devices.FirstOrDefault(d => d.Ordinal == index);
            if (dev is not null)
            {
                info["device_name"] = dev.Name;
                info["compute_capability"] = $"{dev.ComputeMajor}.{dev.ComputeMinor}";
                figures["memory_gib"] = Math.Round(dev.TotalMemoryBytes / (double)(1L << 30), 1);
            }
            if (index >= count)
            {
                cuda = false;
                return new CheckResult("cuda_init", CheckStatus.Fail, cudaName, $"{cudaName} requested but libtorch sees {count} device(s)", sw.Elapsed.TotalSeconds, figures, info);
            }
            using (var t = ones(16, device: torch.device(cudaName))) { _ = t.sum().item<float>(); }
            var detail = $"{dev?.Name ?? "CUDA device"}, {count} device(s), driver {driver.DriverVersion ?? "?"}, CUDA runtime {cudaRuntime ?? "?"}, cuDNN {info["cudnn"]}";
            return new CheckResult("cuda_init", CheckStatus.Pass, cudaName, detail, sw.Elapsed.TotalSeconds, figures, info);
        }
        catch (Exception e)
        {
            cuda = false;
            return new CheckResult("cuda_init", CheckStatus.Fail, cudaName, "CUDA initialised but a first op failed: " + FirstLine(e) + "\n" + NativeInfo.LoaderTrace(null),
                sw.Elapsed.TotalSeconds, figures, info);
        }
    }

    private static CheckResult Backend(out string libtorchRuntime, out string? libtorchPath, out string? pyCuda)
    {
        var sw = Stopwatch.StartNew();
        libtorchRuntime = "unknown";
        libtorchPath = null;
        pyCuda = null;
        var info = new Dictionary<string, string>
        {
            ["backend"] = NativeInfo.Backend,
            ["torchsharp"] = NativeInfo.TorchSharpVersion,
        };
        try { torch.InitializeDeviceType(DeviceType.CPU); }
        catch (Exception e)
        {
            return new CheckResult("backend", CheckStatus.Fail, "cpu", "the native libraries did not load\n" + NativeInfo.LoaderTrace(e),
                sw.Elapsed.TotalSeconds, new Dictionary<string, double>(), info);
        }
        info["libtorch_compiled_for"] = NativeInfo.LibTorchCompiledFor;
        libtorchPath = NativeInfo.MappedLibraries("libtorch_cpu").FirstOrDefault();
        if (libtorchPath is not null)
        {
            (libtorchRuntime, pyCuda) = NativeInfo.LibTorchVersionAt(libtorchPath);
            info["libtorch_path"] = libtorchPath;
        }
        info["libtorch_runtime"] = libtorchRuntime;
        var shim = NativeInfo.MappedLibraries("libLibTorchSharp").FirstOrDefault();
        if (shim is not null) info["libtorchsharp_path"] = shim;
        var figures = new Dictionary<string, double> { ["threads"] = get_num_threads() };
        var detail = $"backend {info["backend"]}, TorchSharp {info["torchsharp"]} (built for libtorch {info["libtorch_compiled_for"]}), libtorch {libtorchRuntime}" +
                     (libtorchPath is null ? "" : $" from {Path.GetDirectoryName(libtorchPath)}") + $", {get_num_threads()} threads";
        return new CheckResult("backend", CheckStatus.Pass, "cpu", detail, sw.Elapsed.TotalSeconds, figures, info);
    }

    private static string TensorOp(Recorder r, string device)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(7, CPU);
        var a = randn([64, 64], generator: gen);
        var b = randn([64, 64], generator: gen);
        var expected = a.mm(b);
        var got = a.to(torch.device(device)).mm(b.to(torch.device(device))).cpu();
        var diff = MaxAbsDiff(expected, got);
        r.Figures["max_abs_diff"] = diff;
        r.Require(diff <= 1e-3, $"64x64 matmul on {device} differs from the CPU by {diff:G3}");
        return $"64x64 fp32 matmul against the CPU: max diff {diff:G3}";
    }

    private static string MatmulBf16(Recorder r, string device, int n, GpuCheckOptions o)
    {
        using var scope = NewDisposeScope();
        var dev = torch.device(device);
        var a = randn([n, n], ScalarType.BFloat16, dev);
        var b = randn([n, n], ScalarType.BFloat16, dev);
        var c = a.mm(b);
        Sync(dev);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < o.MatmulRepeats; i++) a.mm(b).Dispose();
        Sync(dev);
        var seconds = sw.Elapsed.TotalSeconds / o.MatmulRepeats;
        var tflops = 2.0 * n * n * n / seconds / 1e12;
        var reference = a.to(ScalarType.Float32).mm(b.to(ScalarType.Float32));
        var rel = MaxAbsDiff(c, reference) / reference.abs().max().item<float>();
        r.Figures["n"] = n;
        r.Figures["tflops"] = Math.Round(tflops, 6);
        r.Figures["ms"] = Math.Round(seconds * 1e3, 3);
        r.Figures["rel_err_vs_fp32"] = rel;
        r.Require(rel <= o.Tolerances.MatmulRelative, $"bf16 matmul relative error {rel:G3} > {o.Tolerances.MatmulRelative}");
        r.Require(double.IsFinite(tflops) && tflops > 0, "no time measured");
        return $"{n}^3: {tflops:G4} TFLOP/s ({seconds * 1e3:F2} ms), max error vs fp32 {rel:G3} of the largest output";
    }

    private static string SdpaFlashVsMath(Recorder r, string device, (int Batch, int Heads, int Seq, int HeadDim) s, GpuCheckOptions o)
    {
        using var scope = NewDisposeScope();
        var dev = torch.device(device);
        var shape = new long[] { s.Batch, s.Heads, s.Seq, s.HeadDim };
        var q = randn(shape, ScalarType.BFloat16, dev);
        var k = randn(shape, ScalarType.BFloat16, dev);
        var v = randn(shape, ScalarType.BFloat16, dev);
        var flashWas = torch.backends.cuda.flash_sdp_enabled();
        var mathWas = torch.backends.cuda.math_sdp_enabled();
        Tensor flash, math;
        double flashMs, mathMs;
        try
        {
            // Only the flash and math toggles are bound in TorchSharp 0.107; with flash off, libtorch may still choose
            // its memory-efficient kernel on CUDA, so "math" means "not flash" there. The fp32 reference below is exact.
            torch.backends.cuda.enable_flash_sdp(true);
            torch.backends.cuda.enable_math_sdp(false);
            (flash, flashMs) = Timed(dev, () => F.scaled_dot_product_attention(q, k, v, is_casual: true));
            torch.backends.cuda.enable_flash_sdp(false);
            torch.backends.cuda.enable_math_sdp(true);
            (math, mathMs) = Timed(dev, () => F.scaled_dot_product_attention(q, k, v, is_casual: true));
        }
        finally
        {
            torch.backends.cuda.enable_flash_sdp(flashWas);
            torch.backends.cuda.enable_math_sdp(mathWas);
        }
        var qf = q.to(ScalarType.Float32);
        var scores = qf.matmul(k.to(ScalarType.Float32).transpose(-2, -1)) / Math.Sqrt(s.HeadDim);
        var future = ones([s.Seq, s.Seq], ScalarType.Bool, dev).triu(1);
        var reference = scores.masked_fill(future, double.NegativeInfinity).softmax(-1).matmul(v.to(ScalarType.Float32));
        var flashVsMath = MaxAbsDiff(flash, math);
        var flashVsRef = MaxAbsDiff(flash, reference);
        var mathVsRef = MaxAbsDiff(math, reference);
        var flops = 4.0 * s.Batch * s.Heads * s.Seq * s.Seq * s.HeadDim / 2; // causal: half the score matrix
        r.Figures["seq"] = s.Seq;
        r.Figures["flash_vs_math_max_abs"] = flashVsMath;
        r.Figures["flash_vs_fp32_max_abs"] = flashVsRef;
        r.Figures["math_vs_fp32_max_abs"] = mathVsRef;
        r.Figures["flash_ms"] = Math.Round(flashMs, 3);
        r.Figures["math_ms"] = Math.Round(mathMs, 3);
        r.Figures["flash_tflops"] = Math.Round(flops / (flashMs / 1e3) / 1e12, 6);
        var tol = o.Tolerances.SdpaBf16;
        r.Require(flashVsMath <= tol, $"flash vs math {flashVsMath:G3} > {tol}");
        r.Require(flashVsRef <= tol, $"flash vs fp32 reference {flashVsRef:G3} > {tol}");
        r.Require(mathVsRef <= tol, $"math vs fp32 reference {mathVsRef:G3} > {tol}");
        return $"bf16 ({s.Batch},{s.Heads},{s.Seq},{s.HeadDim}) causal: flash vs math max diff {flashVsMath:G3}, vs fp32 {flashVsRef:G3} / {mathVsRef:G3}; flash {flashMs:F2} ms, math {mathMs:F2} ms";
    }

    private static string TrainStep(Recorder r, string device, GpuCheckOptions o)
    {
        var cfg = o.Model;
        using var ids = randint(cfg.VocabSize, [o.TrainBatch, o.TrainSeq + 1], ScalarType.Int64, generator: new Generator((ulong)o.Seed + 11, CPU));
        var cpu = StepOnce(cfg, "cpu", "fp32", ids, o.Seed);
        var dev = StepOnce(cfg, device, "fp32", ids, o.Seed);
        var bf16 = StepOnce(cfg, device, "bf16", ids, o.Seed);
        try
        {
            var logitDiff = MaxAbsDiff(cpu.Logits, dev.Logits);
            var paramDiff = cpu.Params.Zip(dev.Params).Max(p => MaxAbsDiff(p.First, p.Second));
            var lossRel = RelDiff(cpu.LossBefore, dev.LossBefore);
            var afterRel = RelDiff(cpu.LossAfter, dev.LossAfter);
            var bf16Rel = RelDiff(dev.LossBefore, bf16.LossBefore);
            r.Figures["loss_cpu"] = cpu.LossBefore;
            r.Figures["loss_device"] = dev.LossBefore;
            r.Figures["loss_rel_diff"] = lossRel;
            r.Figures["logits_max_abs_diff"] = logitDiff;
            r.Figures["loss_after_step_cpu"] = cpu.LossAfter;
            r.Figures["loss_after_step_device"] = dev.LossAfter;
            r.Figures["loss_after_step_rel_diff"] = afterRel;
            r.Figures["params_after_step_max_abs_diff"] = paramDiff;
            r.Figures["loss_bf16_device"] = bf16.LossBefore;
            r.Figures["loss_bf16_rel_diff"] = bf16Rel;
            r.Figures["step_ms_device"] = Math.Round(dev.StepMs, 3);
            var t = o.Tolerances;
            r.Require(double.IsFinite(dev.LossBefore) && double.IsFinite(dev.LossAfter) && double.IsFinite(bf16.LossBefore) && double.IsFinite(bf16.LossAfter), "non-finite loss");
            r.Require(logitDiff <= t.LogitsFp32, $"logits differ by {logitDiff:G3} > {t.LogitsFp32}");
            r.Require(lossRel <= t.LossRelative, $"loss differs by {lossRel:G3} (relative) > {t.LossRelative}");
            r.Require(afterRel <= t.LossAfterStepRelative, $"loss after the AdamW step differs by {afterRel:G3} > {t.LossAfterStepRelative}");
            r.Require(dev.LossAfter < dev.LossBefore, $"the AdamW step did not lower the loss on {device} ({dev.LossBefore:F5} -> {dev.LossAfter:F5})");
            r.Require(bf16Rel <= t.LossBf16Relative, $"bf16 loss differs from fp32 by {bf16Rel:G3} > {t.LossBf16Relative}");
            return $"fp32 loss {dev.LossBefore:F5} vs CPU {cpu.LossBefore:F5} (rel {lossRel:G3}), logits max diff {logitDiff:G3}; " +
                   $"after AdamW {dev.LossAfter:F5} vs {cpu.LossAfter:F5}; bf16 loss {bf16.LossBefore:F5}; step {dev.StepMs:F1} ms";
        }
        finally
        {
            cpu.Dispose(); dev.Dispose(); bf16.Dispose();
        }
    }

    private sealed record StepOutcome(double LossBefore, double LossAfter, Tensor Logits, IReadOnlyList<Tensor> Params, double StepMs) : IDisposable
    {
        public void Dispose()
        {
            Logits.Dispose();
            foreach (var p in Params) p.Dispose();
        }
    }

    /// <summary>Forward, next-token loss, backward and one AdamW step; returns the losses, fp32 CPU logits and parameters.</summary>
    private static StepOutcome StepOnce(ModelConfig cfg, string device, string dtype, Tensor ids, long seed)
    {
        using var model = CausalLM.Create(cfg, new ModelOptions(device, dtype), seed);
        var dev = model.Device;
        using var opt = optim.AdamW(model.parameters(), lr: 1e-3);
        using var scope = NewDisposeScope();
        var onDevice = ids.to(dev);
        var t = ids.shape[1] - 1;
        var input = onDevice.narrow(1, 0, t);
        var target = onDevice.narrow(1, 1, t).reshape(-1);
        Sync(dev);
        var sw = Stopwatch.StartNew();
        var logits = model.Logits(input).to(ScalarType.Float32);
        var loss = F.cross_entropy(logits.view(-1, cfg.VocabSize), target);
        loss.backward();
        opt.step();
        model.zero_grad();
        Sync(dev);
        var stepMs = sw.Elapsed.TotalMilliseconds;
        double after;
        using (no_grad())
            after = F.cross_entropy(model.Logits(input).to(ScalarType.Float32).view(-1, cfg.VocabSize), target).item<float>();
        var outLogits = logits.detach().cpu().MoveToOuterDisposeScope();
        var outParams = model.parameters().Select(p => p.detach().to(ScalarType.Float32).cpu().MoveToOuterDisposeScope()).ToList();
        return new StepOutcome(loss.item<float>(), after, outLogits, outParams, stepMs);
    }

    private static string KvDecode(Recorder r, string device, GpuCheckOptions o)
    {
        var cfg = o.Model;
        using var cpuModel = CausalLM.Create(cfg, new ModelOptions("cpu"), o.Seed);
        using var devModel = CausalLM.Create(cfg, new ModelOptions(device), o.Seed);
        var total = o.DecodePrompt + o.DecodeSteps;
        using var ids = randint(cfg.VocabSize, [o.DecodeBatch, total], ScalarType.Int64, generator: new Generator((ulong)o.Seed + 13, CPU));
        using var cpuLogits = CachedLogits(cpuModel, ids, o.DecodePrompt);
        using var devLogits = CachedLogits(devModel, ids, o.DecodePrompt);
        using var devFull = FullLogits(devModel, ids, o.DecodePrompt);
        var vsCpu = MaxAbsDiff(cpuLogits, devLogits);
        var vsFull = MaxAbsDiff(devLogits, devFull);

        // Greedy generation with the sampler (its own cache and masks): speed on the device, agreement with the CPU.
        int[][] prompts;
        using (NewDisposeScope())
            prompts = Enumerable.Range(0, o.DecodeBatch).Select(i => ids[i].narrow(0, 0, o.DecodePrompt).data<long>().Select(x => (int)x).ToArray()).ToArray();
        var greedy = new SamplingOptions { Temperature = 0, MaxNewTokens = o.DecodeSteps, Seed = (ulong)o.Seed };
        var cpuOut = new Sampler(cpuModel).Generate(prompts, greedy);
        var sw = Stopwatch.StartNew();
        var devOut = new Sampler(devModel).Generate(prompts, greedy);
        var seconds = sw.Elapsed.TotalSeconds;
        var agree = cpuOut.Zip(devOut).Sum(p => p.First.TokenIds.Zip(p.Second.TokenIds).TakeWhile(t => t.First == t.Second).Count());
        var generated = cpuOut.Sum(s => s.TokenIds.Length);
        var agreement = generated == 0 ? 1.0 : (double)agree / generated;

        r.Figures["steps"] = o.DecodeSteps;
        r.Figures["logits_vs_cpu_max_abs"] = vsCpu;
        r.Figures["cache_vs_full_forward_max_abs"] = vsFull;
        r.Figures["greedy_prefix_agreement"] = Math.Round(agreement, 4);
        r.Figures["sampler_tokens_per_s"] = Math.Round(o.DecodeBatch * o.DecodeSteps / seconds, 1);
        var tol = o.Tolerances.LogitsFp32;
        r.Require(vsCpu <= tol, $"KV-cache decode logits differ from the CPU by {vsCpu:G3} > {tol}");
        r.Require(vsFull <= tol, $"KV-cache decode logits differ from a full forward by {vsFull:G3} > {tol}");
        return $"{o.DecodeSteps} cached steps, batch {o.DecodeBatch}: logits vs CPU max diff {vsCpu:G3}, vs full forward {vsFull:G3}; " +
               $"greedy agreement {agreement:P0}, sampler {o.DecodeBatch * o.DecodeSteps / seconds:F0} tokens/s";
    }

    /// <summary>Prefill the prompt into a KV cache, then feed the remaining tokens one at a time: fp32 CPU logits (B, S+1, V).</summary>
    private static Tensor CachedLogits(CausalLM m, Tensor ids, int prompt)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var onDevice = ids.to(m.Device);
        var (b, total) = ((int)ids.shape[0], (int)ids.shape[1]);
        using var cache = KvCache.For(m, b, total);
        var hidden = m.Forward(onDevice.narrow(1, 0, prompt), cache: cache);
        cache.Advance(prompt);
        var steps = new List<Tensor> { m.LmHead(hidden.narrow(1, prompt - 1, 1)) };
        for (var t = prompt; t < total; t++)
        {
            var h = m.Forward(onDevice.narrow(1, t, 1), cache: cache);
            cache.Advance(1);
            steps.Add(m.LmHead(h));
        }
        return cat(steps, 1).to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    private static Tensor FullLogits(CausalLM m, Tensor ids, int prompt)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logits = m.Logits(ids.to(m.Device));
        return logits.narrow(1, prompt - 1, ids.shape[1] - prompt + 1).to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    private static string SafetensorsRoundTrip(Recorder r, string device, GpuCheckOptions o)
    {
        var dev = torch.device(device);
        var dir = o.TempDir ?? Path.GetTempPath();
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"hpt-gpu-check-{Guid.NewGuid():N}.safetensors");
        using var scope = NewDisposeScope();
        var gen = new Generator((ulong)o.Seed + 17, CPU);
        var tensors = new List<(string Name, Tensor Tensor)>
        {
            ("f32", randn([37, 19], generator: gen).to(dev)),
            ("bf16", randn([64, 8], generator: gen).to(ScalarType.BFloat16).to(dev)),
            ("f16", randn([5, 3, 7], generator: gen).to(ScalarType.Float16).to(dev)),
            ("i64", arange(0, 1000, ScalarType.Int64).to(dev)),
            ("bool", (rand([33], generator: gen) > 0.5).to(dev)),
            ("f32_view", randn([16, 16], generator: gen).to(dev).t()), // non-contiguous
        };
        var mismatched = new List<string>();
        try
        {
            SafetensorsFile.Write(path, tensors);
            using (var file = SafetensorsFile.Open(path))
            {
                foreach (var (name, t) in tensors)
                {
                    var back = empty(t.shape, t.dtype, dev);
                    file.ReadInto(name, back);
                    if (back.device_type != t.device_type || back.device_index != t.device_index || !BitEqual(back, t)) mismatched.Add(name);
                }
            }
            r.Figures["file_bytes"] = new FileInfo(path).Length;
        }
        finally
        {
            File.Delete(path);
        }

        // A whole model's weights as a snapshot (the rollout-to-learner publish path): device -> bytes -> another device model.
        using var source = CausalLM.Create(o.Model, new ModelOptions(device), o.Seed);
        using var target = CausalLM.Create(o.Model, new ModelOptions(device), o.Seed + 1);
        var sw = Stopwatch.StartNew();
        var bytes = PolicyWeights.ToBytes(source);
        PolicyWeights.FromBytes(target, bytes);
        Sync(dev);
        var ms = sw.Elapsed.TotalMilliseconds;
        var weightsEqual = source.Weights().Zip(target.Weights()).All(p => BitEqual(p.First.Param, p.Second.Param));
        r.Figures["tensors"] = tensors.Count;
        r.Figures["model_snapshot_mib"] = Math.Round(bytes.Length / (double)(1 << 20), 3);
        r.Figures["model_snapshot_ms"] = Math.Round(ms, 3);
        r.Require(mismatched.Count == 0, "not bit-identical after the round trip: " + string.Join(", ", mismatched));
        r.Require(weightsEqual, "model weights differ after a snapshot round trip");
        return $"{tensors.Count} tensors (f32, bf16, f16, i64, bool, strided) bit-identical after save/load; model snapshot {bytes.Length / (double)(1 << 20):F2} MiB in {ms:F1} ms";
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private sealed class Recorder
    {
        public Dictionary<string, double> Figures { get; } = new();
        public Dictionary<string, string> Info { get; } = new();
        public List<string> Failures { get; } = [];
        public void Require(bool ok, string failure) { if (!ok) Failures.Add(failure); }
    }

    private static CheckResult Measure(string name, string device, Func<Recorder, string> body)
    {
        var r = new Recorder();
        var sw = Stopwatch.StartNew();
        string detail;
        CheckStatus status;
        try
        {
            detail = body(r);
            status = r.Failures.Count == 0 ? CheckStatus.Pass : CheckStatus.Fail;
            if (status == CheckStatus.Fail) detail = string.Join("; ", r.Failures) + " | " + detail;
        }
        catch (Exception e)
        {
            status = CheckStatus.Fail;
            detail = $"{e.GetType().Name}: {FirstLine(e)}";
        }
        return new CheckResult(name, status, device, detail, sw.Elapsed.TotalSeconds, r.Figures, r.Info);
    }

    private static (Tensor Result, double Ms) Timed(Device dev, Func<Tensor> op)
    {
        op().Dispose(); // warm-up (kernel selection, allocator)
        Sync(dev);
        var sw = Stopwatch.StartNew();
        var result = op();
        Sync(dev);
        return (result, sw.Elapsed.TotalMilliseconds);
    }

    private static void Sync(Device dev)
    {
        if (dev.type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    private static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var x = a.to(ScalarType.Float32).cpu();
        var y = b.to(ScalarType.Float32).cpu();
        return (x - y).abs().max().item<float>();
    }

    /// <summary>Same dtype, shape and bytes (NaN-safe, unlike a value comparison).</summary>
    private static bool BitEqual(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var scope = NewDisposeScope();
        return a.detach().cpu().contiguous().bytes.SequenceEqual(b.detach().cpu().contiguous().bytes);
    }

    private static double RelDiff(double a, double b) => Math.Abs(a - b) / Math.Max(Math.Abs(a), 1e-12);

    /// <summary>libtorch errors carry a C++ backtrace after the first line.</summary>
    private static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();

    /// <summary>cudaRuntimeGetVersion from whichever libcudart libtorch_cuda mapped (TorchSharp binds no CUDA version).</summary>
    private static string? CudaRuntimeVersion()
    {
        foreach (var path in NativeInfo.MappedLibraries("libcudart"))
        {
            if (!NativeLibrary.TryLoad(path, out var handle)) continue;
            try
            {
                if (!NativeLibrary.TryGetExport(handle, "cudaRuntimeGetVersion", out var fn)) continue;
                var call = Marshal.GetDelegateForFunctionPointer<IntOut>(fn);
                if (call(out var v) == 0) return $"{v / 1000}.{v % 1000 / 10}";
            }
            finally { NativeLibrary.Free(handle); }
        }
        return null;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IntOut(out int value);
}
