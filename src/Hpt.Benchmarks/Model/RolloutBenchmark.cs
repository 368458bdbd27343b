using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hpt.Model.Sampling;
using Hpt.Model.Scoring;
using static TorchSharp.torch;
using Hpt.Model;

namespace Hpt.Benchmarks;

/// <summary>Sizes for <see cref="RolloutBenchmark"/>: the model (d512, 4 layers, vocab 32k, fp32) and a long-tailed workload.</summary>
public sealed record RolloutBenchmarkOptions
{
    public string Device { get; init; } = "cpu";
    public string DType { get; init; } = "fp32";
    public int DModel { get; init; } = 512;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 8;
    public int KvHeads { get; init; } = 2;
    public int Vocab { get; init; } = 32_000;
    public int Prompts { get; init; } = 32;
    public int Samples { get; init; } = 8;
    /// <summary>Prompt lengths are uniform in [MinPromptTokens, MaxPromptTokens].</summary>
    public int MinPromptTokens { get; init; } = 16;
    public int MaxPromptTokens { get; init; } = 64;
    /// <summary>
    /// Mean response length. The untrained model's next-token distribution is close to uniform, so a stop set of
    /// vocab / mean ids ends a response with probability about 1/mean per token: geometric lengths, from a few tokens
    /// to a few hundred (the long tail), the same for both engines because both draw the same random numbers.
    /// </summary>
    public int MeanResponseTokens { get; init; } = 48;
    public int MaxNewTokens { get; init; } = 384;
    public int MaxSequences { get; init; } = 64;
    public int PrefillChunkTokens { get; init; } = 128;
    public int Repeats { get; init; } = 1;
    /// <summary>
    /// The over-provisioned run (what a worker does in training with <c>rollout.over-provision</c>): steps of
    /// <see cref="Prompts"/> prompts each, with up to this many extra prompts started; a step ends when <see cref="Prompts"/>
    /// groups are complete and the unfinished ones carry over into the next. 0 skips the run.
    /// </summary>
    public int OverProvision { get; init; } = 4;
    /// <summary>Steps of the over-provisioned run (the first one's start-up is included, the last one's carry-over is not counted).</summary>
    public int OverProvisionSteps { get; init; } = 3;
}

/// <summary>Figures of one run; fractions are 0..1. <see cref="ToJson"/> is the benchmark's final line.</summary>
public sealed record RolloutBenchmarkResult(
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("dtype")] string DType,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("load_average_before")] double LoadBefore,
    [property: JsonPropertyName("load_average_after")] double LoadAfter,
    [property: JsonPropertyName("d_model")] int DModel,
    [property: JsonPropertyName("layers")] int Layers,
    [property: JsonPropertyName("vocab")] int Vocab,
    [property: JsonPropertyName("prompts")] int Prompts,
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("max_sequences")] int MaxSequences,
    [property: JsonPropertyName("response_tokens_mean")] double ResponseMean,
    [property: JsonPropertyName("response_tokens_max")] int ResponseMax,
    [property: JsonPropertyName("group_tokens_per_s")] double GroupTokensPerSecond,
    [property: JsonPropertyName("continuous_tokens_per_s")] double ContinuousTokensPerSecond,
    [property: JsonPropertyName("continuous_libtorch_tokens_per_s")] double ContinuousLibtorchTokensPerSecond,
    [property: JsonPropertyName("cpu_kernel_speedup")] double CpuKernelSpeedup,
    [property: JsonPropertyName("forward_tokens_per_s")] double ForwardTokensPerSecond,
    [property: JsonPropertyName("continuous_over_group")] double ContinuousOverGroup,
    [property: JsonPropertyName("rollout_over_forward")] double RolloutOverForward,
    [property: JsonPropertyName("slot_occupancy")] double SlotOccupancy,
    [property: JsonPropertyName("group_row_occupancy")] double GroupRowOccupancy,
    [property: JsonPropertyName("prefill_share")] double PrefillShare,
    [property: JsonPropertyName("tail_idle_fraction")] double TailIdleFraction,
    [property: JsonPropertyName("same_tokens_fraction")] double SameTokensFraction,
    [property: JsonPropertyName("decode_forward_share")] double DecodeForwardShare,
    [property: JsonPropertyName("lm_head_share")] double LmHeadShare,
    [property: JsonPropertyName("sample_share")] double SampleShare,
    [property: JsonPropertyName("attend_over_kv")] double AttendOverKv,
    [property: JsonPropertyName("over_provision")] int OverProvision,
    [property: JsonPropertyName("over_provisioned_tokens_per_s")] double OverProvisionedTokensPerSecond,
    [property: JsonPropertyName("over_provisioned_over_forward")] double OverProvisionedOverForward,
    [property: JsonPropertyName("over_provisioned_slot_occupancy")] double OverProvisionedOccupancy,
    [property: JsonPropertyName("rollout_over_forward_cpu")] double RolloutOverForwardCpu,
    [property: JsonPropertyName("over_provisioned_over_forward_cpu")] double OverProvisionedOverForwardCpu)
{
    public string ToJson() => JsonSerializer.Serialize(this);
}

/// <summary>
/// <c>hpt bench rollout</c>: the continuous-batching generator against today's per-prompt engine (each prompt's n
/// samples as one static batch run until its longest row ends) on the same prompts and seeds, and against the
/// teacher-forced forward at the same number of sequences (the compute limit for this model on this machine).
/// </summary>
public static class RolloutBenchmark
{
    public static RolloutBenchmarkResult Run(RolloutBenchmarkOptions o, TextWriter log)
    {
        var options = new ModelOptions(o.Device, o.DType);
        var loadBefore = MachineLoad.OneMinute() ?? -1;
        log.WriteLine($"device {o.Device}, dtype {o.DType}, torch threads {get_num_threads()}, load average {loadBefore:F1} (the machine may be shared)");
        var config = new ModelConfig
        {
            ModelType = "qwen2", VocabSize = o.Vocab, HiddenSize = o.DModel, IntermediateSize = o.DModel * 4, NumHiddenLayers = o.Layers,
            NumAttentionHeads = o.Heads, NumKeyValueHeads = o.KvHeads, MaxPositionEmbeddings = 4_096,
        }.Validate();
        using var model = CausalLM.Create(config, options, seed: 1);
        log.WriteLine($"model            d_model {o.DModel}, {o.Layers} layers, {o.Heads}/{o.KvHeads} heads, vocab {o.Vocab}: {model.ParameterCount() / 1e6:F1}M params");

        var rng = new Random(7);
        var prompts = Enumerable.Range(0, o.Prompts)
            .Select(_ => Enumerable.Range(0, rng.Next(o.MinPromptTokens, o.MaxPromptTokens + 1)).Select(_ => rng.Next(o.Vocab)).ToArray()).ToArray();
        var stopCount = Math.Max(1, o.Vocab / Math.Max(1, o.MeanResponseTokens));
        var sampling = new SamplingOptions { MaxNewTokens = o.MaxNewTokens, StopTokenIds = Enumerable.Range(0, stopCount).Select(i => o.Vocab - 1 - i).ToArray() };
        ulong[] Seeds(int p) => Enumerable.Range(0, o.Samples).Select(i => RowRandom.RowSeed((ulong)p + 1, i)).ToArray();
        var continuousOptions = new ContinuousOptions
        {
            MaxSequences = o.MaxSequences, MaxPromptTokens = o.MaxPromptTokens, PrefillChunkTokens = o.PrefillChunkTokens, Sampling = sampling,
        };
        log.WriteLine($"workload         {o.Prompts} prompts of {o.MinPromptTokens}..{o.MaxPromptTokens} tokens x {o.Samples} samples, " +
                      $"{stopCount} stop ids (mean response ~{o.MeanResponseTokens}, at most {o.MaxNewTokens}), {o.MaxSequences} slots");

        var sampler = new Sampler(model);
        using var generator = new ContinuousGenerator(model, continuousOptions);
        // The same engine on libtorch's GEMM and threads alone (ContinuousOptions.CpuKernel off), for the kernel's share.
        using var libtorchGenerator = new ContinuousGenerator(model, continuousOptions with { CpuKernel = false });
        // Warm-up of both paths (allocator pools, JIT).
        sampler.Generate([prompts[0], prompts[0]], sampling with { MaxNewTokens = 4 });
        foreach (var g in new[] { generator, libtorchGenerator })
        {
            g.Submit(new GenerationRequest(-1, prompts[0], Seeds(0), MaxNewTokens: 4));
            g.RunToCompletion();
        }

        // The teacher-forced forward at the same number of sequences, each as long as a mean prompt plus a mean response
        // (geometric lengths: mean prompt + MeanResponseTokens). It runs right before and right after each continuous
        // run and the two are averaged, so a shared machine's load changes the ratio as little as possible.
        var forwardLen = (int)Math.Round((o.MinPromptTokens + o.MaxPromptTokens) / 2.0 + o.MeanResponseTokens);
        var fwdPrompts = Enumerable.Range(0, o.MaxSequences).Select(_ => (IReadOnlyList<int>)[rng.Next(o.Vocab)]).ToArray();
        var fwdResponses = Enumerable.Range(0, o.MaxSequences).Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, forwardLen).Select(_ => rng.Next(o.Vocab)).ToArray()).ToArray();
        var scorer = new Scorer(model);
        scorer.Score(fwdPrompts, fwdResponses, withEntropy: false).Dispose();
        (double Wall, double Cpu) Forward()
        {
            var cpu = ProcessCpuSeconds();
            var clock = Stopwatch.StartNew();
            scorer.Score(fwdPrompts, fwdResponses, withEntropy: false).Dispose();
            return (clock.Elapsed.TotalSeconds, ProcessCpuSeconds() - cpu);
        }
        var (forwardSeconds, forwardCpu, continuousCpu) = (double.MaxValue, 0.0, 0.0);

        double groupSeconds = double.MaxValue, continuousSeconds = double.MaxValue, libtorchSeconds = double.MaxValue;
        long libtorchTokens = 0;
        List<GeneratedSample[]> groupSamples = [];
        Dictionary<long, GeneratedGroup> continuousGroups = [];
        GeneratorCounters counters = new();
        for (var repeat = 0; repeat < Math.Max(1, o.Repeats); repeat++)
        {
            var before = Forward();
            var cpu = ProcessCpuSeconds();
            var clock = Stopwatch.StartNew();
            generator.ResetCounters();
            for (var p = 0; p < prompts.Length; p++) generator.Submit(new GenerationRequest(p, prompts[p], Seeds(p)));
            var groups = generator.RunToCompletion().ToDictionary(g => g.RequestId);
            var seconds = clock.Elapsed.TotalSeconds;
            cpu = ProcessCpuSeconds() - cpu;
            var after = Forward();
            var forward = (before.Wall + after.Wall) / 2;
            if (seconds < continuousSeconds)
                (continuousSeconds, continuousGroups, counters, forwardSeconds, continuousCpu, forwardCpu) =
                    (seconds, groups, generator.Counters, forward, cpu, (before.Cpu + after.Cpu) / 2);
            log.WriteLine($"continuous       {counters.GeneratedTokens} tokens in {seconds:F2} s");

            clock.Restart();
            libtorchGenerator.ResetCounters();
            for (var p = 0; p < prompts.Length; p++) libtorchGenerator.Submit(new GenerationRequest(p, prompts[p], Seeds(p)));
            libtorchGenerator.RunToCompletion();
            seconds = clock.Elapsed.TotalSeconds;
            if (seconds < libtorchSeconds) (libtorchSeconds, libtorchTokens) = (seconds, libtorchGenerator.Counters.GeneratedTokens);
            log.WriteLine($"  on libtorch    {libtorchGenerator.Counters.GeneratedTokens} tokens in {seconds:F2} s (cpu kernel off)");

            clock.Restart();
            // Today's engine: one prompt at a time, its n samples as one static batch until the longest ends.
            var perPrompt = prompts.Select((p, i) => sampler.Generate(Enumerable.Repeat<IReadOnlyList<int>>(p, o.Samples).ToArray(), sampling, rowSeeds: Seeds(i)).ToArray()).ToList();
            seconds = clock.Elapsed.TotalSeconds;
            if (seconds < groupSeconds) (groupSeconds, groupSamples) = (seconds, perPrompt);
            log.WriteLine($"group            {perPrompt.Sum(g => g.Sum(s => s.TokenIds.Length))} tokens in {seconds:F2} s");
        }

        // Over-provisioned steps: the same distribution of prompts, fresh ones for every step (the first step's are the
        // workload's), forward measured right before and after like the continuous run.
        var (opTps, opForwardTps, opOccupancy, opCpuRatio) = (0.0, 0.0, 0.0, 0.0);
        if (o.OverProvision > 0 && o.OverProvisionSteps > 0)
        {
            var extra = Enumerable.Range(0, o.Prompts * (o.OverProvisionSteps - 1) + o.OverProvision)
                .Select(_ => Enumerable.Range(0, rng.Next(o.MinPromptTokens, o.MaxPromptTokens + 1)).Select(_ => rng.Next(o.Vocab)).ToArray());
            var stream = prompts.Concat(extra).ToArray();
            var before = Forward();
            var cpu = ProcessCpuSeconds();
            var (tokens, seconds, c) = OverProvisioned(generator, stream, o.Prompts, o.OverProvision, o.OverProvisionSteps, Seeds);
            cpu = ProcessCpuSeconds() - cpu;
            var after = Forward();
            var forward = (before.Wall + after.Wall) / 2;
            opTps = tokens / seconds;
            opForwardTps = o.MaxSequences * (forwardLen + 1) / forward;
            opCpuRatio = tokens / cpu / (o.MaxSequences * (forwardLen + 1) / ((before.Cpu + after.Cpu) / 2));
            opOccupancy = c.DecodeSteps == 0 ? 0 : c.DecodeRows / (double)(c.DecodeSteps * o.MaxSequences);
            log.WriteLine($"over-provisioned {o.OverProvisionSteps} steps of {o.Prompts} prompts, {o.OverProvision} extra: {tokens} tokens of complete groups in {seconds:F2} s, " +
                          $"{opTps:F0} tokens/s, slot occupancy {opOccupancy:P0}; forward {opForwardTps:F0} tokens/s: {opTps / opForwardTps:F2} of it ({opCpuRatio:F2} in CPU time)");
        }

        var groupTokens = groupSamples.Sum(g => g.Sum(s => s.TokenIds.Length));
        var groupComputed = groupSamples.Sum(g => (long)g.Length * g.Max(s => s.TokenIds.Length));
        var continuousTokens = counters.GeneratedTokens;
        var lengths = continuousGroups.Values.SelectMany(g => g.Samples).Select(s => s.TokenIds.Length).ToArray();
        var same = 0;
        for (var p = 0; p < prompts.Length; p++)
            for (var s = 0; s < o.Samples; s++)
                if (groupSamples[p][s].TokenIds.AsSpan().SequenceEqual(continuousGroups[p].Samples[s].TokenIds)) same++;

        var groupTps = groupTokens / groupSeconds;
        var continuousTps = continuousTokens / continuousSeconds;
        var libtorchTps = libtorchTokens / libtorchSeconds;
        var occupancy = counters.DecodeSteps == 0 ? 0 : counters.DecodeRows / (double)(counters.DecodeSteps * o.MaxSequences);
        var tailIdle = counters.DecodeSteps == 0 ? 0 : counters.TailIdleSlotSteps / (double)(counters.DecodeSteps * o.MaxSequences);
        var total = counters.PrefillSeconds + counters.DecodeSeconds;
        var prefillShare = counters.PrefillSeconds / total;
        log.WriteLine($"responses        mean {lengths.Average():F1} tokens, max {lengths.Max()}, {same}/{lengths.Length} samples identical in both engines");
        log.WriteLine($"group engine     {groupTps:F0} tokens/s (rows doing useful work {groupTokens / (double)groupComputed:P0})");
        log.WriteLine($"cpu kernel       {continuousTps:F0} tokens/s against {libtorchTps:F0} on libtorch alone: {continuousTps / libtorchTps:F2}x");
        log.WriteLine($"continuous       {continuousTps:F0} tokens/s, slot occupancy {occupancy:P0}, prefill {prefillShare:P1} of the time, " +
                      $"tail idle {tailIdle:P1} of slot-steps, {counters.DecodeSteps} decode steps");
        var attendOverKv = counters.DecodeKvSlotSteps == 0 ? 0 : counters.DecodeAttendSlotSteps / (double)counters.DecodeKvSlotSteps;
        log.WriteLine($"decode step      decoder {counters.DecodeForwardSeconds / total:P0}, lm head {counters.LmHeadSeconds / total:P0}, sampling {counters.SampleSeconds / total:P0} of the time; " +
                      $"attention reads {attendOverKv:F2}x the rows' own key columns");

        var forwardTps = o.MaxSequences * (forwardLen + 1) / forwardSeconds;
        // Per CPU-second of this process: on a shared machine the wall clock also counts the time other processes held
        // the cores. Exact with one torch thread; with more, CPU time also counts threads spinning while they wait.
        var cpuRatio = continuousTokens / continuousCpu / (o.MaxSequences * (forwardLen + 1) / forwardCpu);
        var loadAfter = MachineLoad.OneMinute() ?? -1;
        log.WriteLine($"forward (scorer) {o.MaxSequences} x {forwardLen + 1} tokens: {forwardTps:F0} tokens/s");
        log.WriteLine($"continuous/group {continuousTps / groupTps:F2}x (floor 2.5x); rollout/forward {continuousTps / forwardTps:F2} (floor 0.6), " +
                      $"{cpuRatio:F2} in CPU time; load average after {loadAfter:F1}");

        return new RolloutBenchmarkResult(o.Device, o.DType, get_num_threads(), loadBefore, loadAfter, o.DModel, o.Layers, o.Vocab, o.Prompts, o.Samples,
            o.MaxSequences, Math.Round(lengths.Average(), 1), lengths.Max(), Math.Round(groupTps, 1), Math.Round(continuousTps, 1),
            Math.Round(libtorchTps, 1), Math.Round(continuousTps / libtorchTps, 3), Math.Round(forwardTps, 1),
            Math.Round(continuousTps / groupTps, 3), Math.Round(continuousTps / forwardTps, 3), Math.Round(occupancy, 4),
            Math.Round(groupTokens / (double)groupComputed, 4), Math.Round(prefillShare, 4), Math.Round(tailIdle, 4),
            Math.Round(same / (double)lengths.Length, 4), Math.Round(counters.DecodeForwardSeconds / total, 4), Math.Round(counters.LmHeadSeconds / total, 4),
            Math.Round(counters.SampleSeconds / total, 4), Math.Round(attendOverKv, 3), o.OverProvision, Math.Round(opTps, 1),
            Math.Round(opForwardTps == 0 ? 0 : opTps / opForwardTps, 3), Math.Round(opOccupancy, 4), Math.Round(cpuRatio, 3), Math.Round(opCpuRatio, 3));
    }

    private static double ProcessCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>
    /// Steps of <paramref name="perStep"/> groups from a stream of prompts, keeping up to <paramref name="extra"/> more
    /// requests in flight than the step still needs: a step ends when <paramref name="perStep"/> groups are complete and
    /// the unfinished requests carry over (nothing is cancelled). Counts only the tokens of groups that completed.
    /// </summary>
    private static (long Tokens, double Seconds, GeneratorCounters Counters) OverProvisioned(ContinuousGenerator generator, int[][] stream, int perStep,
        int extra, int steps, Func<int, ulong[]> seeds)
    {
        generator.ResetCounters();
        var clock = Stopwatch.StartNew();
        var next = 0;
        long tokens = 0;
        for (var step = 0; step < steps; step++)
        {
            // Admission: this step's prompts plus the extras, less what is still in flight from the last step.
            while (generator.Requests < perStep + extra && next < stream.Length)
            {
                generator.Submit(new GenerationRequest(1_000_000 + next, stream[next], seeds(next)));
                next++;
            }
            var done = 0;
            while (done < perStep && generator.HasWork)
                foreach (var g in generator.Step().Completed)
                {
                    done++;
                    tokens += g.Samples.Sum(s => s.TokenIds.Length);
                }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var counters = generator.Counters;
        foreach (var id in generator.RequestIds) generator.Cancel(id); // the last step's carry-over is not counted
        return (tokens, seconds, counters);
    }

}
