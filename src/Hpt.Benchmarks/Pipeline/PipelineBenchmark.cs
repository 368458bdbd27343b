using Akka.Actor;
using Akka.Configuration;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Hosting;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Core.Configuration;
using Hpt.Core.Gating;
using Hpt.Model;
using Hpt.Benchmarks;
using Hpt.Model.Sampling;
using Hpt.Model.Weights;
using Hpt.Tasks;
using Hpt.Tasks.Evaluation;
using Hpt.Training;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using TorchSharp;

namespace Hpt.Benchmarks;

/// <summary>
/// <c>hpt bench pipeline</c>: the same model, task, base policy and seeds trained under four schedules in one process:
/// <list type="bullet">
/// <item><c>loop</c>: no actors, one thread: generate, score, gate, train, publish, in turn (eta = 0).</item>
/// <item><c>sync</c>: the actor pipeline at eta = 0, rollout worker and learner each on its own pinned thread with
/// one torch thread (the placement of two devices).</item>
/// <item><c>async</c>: the same placement at eta = 1 (generation of step v+1 overlaps training of step v).</item>
/// <item><c>sync_all_cores</c>: the actor pipeline at eta = 0 with every core given to whichever phase runs.</item>
/// </list>
/// Rates count trained samples between the end of step 1 and the end of the last step (start-up and JIT excluded).
/// The configurations run interleaved <see cref="PipelineBenchmarkOptions.Repeats"/> times; ratios are medians of
/// the ratios within each repeat, so slow drifts of the machine's load cancel.
/// </summary>
public static class PipelineBenchmark
{
    public const string Loop = "loop";
    public const string Sync = "sync";
    public const string Async = "async";
    public const string SyncAllCores = "sync_all_cores";

    private sealed record Schedule(string Name, int MaxStaleness, int TorchThreads, bool Actors);

    public static async Task<PipelineBenchmarkResult> RunAsync(PipelineBenchmarkOptions options, TextWriter log, CancellationToken cancel = default)
    {
        options.Validate();
        var startThreads = torch.get_num_threads();
        var cores = Environment.ProcessorCount;
        var split = Math.Max(1, cores / 2);
        Schedule[] schedules =
        [
            new(Loop, 0, split, Actors: false),
            new(Sync, 0, split, Actors: true),
            new(Async, 1, split, Actors: true),
            new(SyncAllCores, 0, cores, Actors: true),
        ];

        var loadStart = MachineLoad.OneMinute();
        using var setup = Setup.Create(options, log);
        log.WriteLine($"machine: {cores} cores; torch threads {split} per phase (split) or {cores} (all cores); load average {Format(loadStart)}");
        log.WriteLine($"learning rate {setup.RunLearnerSettings.LearningRate:g3} (warm-up {setup.WarmupLearnerSettings.LearningRate:g3}); " +
                      $"settings: {string.Join(" ", options.Overrides)}");
        log.WriteLine($"model: {setup.ModelDescription}; task {setup.Task.Name}; algorithm {setup.AlgorithmName}; " +
                      $"{options.Steps} steps x {options.Prompts} prompts x {options.Samples} samples, max {setup.Sampling.MaxNewTokens} new tokens; " +
                      $"rollout batching {setup.Rollout.Batching.ToString().ToLowerInvariant()} (the loop run too)");
        await OnDedicatedThread(cores, () =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            SupervisedWarmup.Run(setup.BaseModel, setup.Policy.Codec, setup.Task.Train, options.WarmupSteps, options.Prompts,
                setup.WarmupLearnerSettings.Trainer, setup.Seed, _ => { });
            log.WriteLine($"base model: {options.WarmupSteps} supervised warm-up steps in {clock.Elapsed.TotalSeconds:0.0} s");
            return 0;
        });
        BenchmarkResult? baseHeldOut = null;
        if (options.EvalProblems > 0)
        {
            baseHeldOut = await OnDedicatedThread(cores, () => setup.Evaluate(setup.BaseModel, cancel));
            log.WriteLine($"base model held-out: avg@{baseHeldOut.Samples} {baseHeldOut.AverageAtK:0.000}, greedy {baseHeldOut.GreedyAccuracy ?? double.NaN:0.000} ({baseHeldOut.Problems} problems)");
        }

        var runs = new List<RunFigures>();
        try
        {
            for (var repeat = 0; repeat < options.Repeats; repeat++)
            {
                // Alternate the order so that a trend in the machine's load does not always favour the same schedule.
                var order = repeat % 2 == 0 ? schedules : schedules.Reverse().ToArray();
                foreach (var schedule in order)
                {
                    cancel.ThrowIfCancellationRequested();
                    var evaluate = repeat == 0 && options.EvalProblems > 0 && schedule.Name is Sync or Async;
                    var figures = await RunOne(setup, schedule, repeat, evaluate, cancel);
                    runs.Add(figures);
                    log.WriteLine(figures.Describe());
                }
            }
        }
        finally
        {
            torch.set_num_threads(startThreads);
        }
        var (directMicros, boundedMicros) = VerifierCheckCost(setup, options.Samples);

        var result = Summarise(options, setup, runs, cores, split, loadStart, MachineLoad.OneMinute()) with
        {
            BaseHeldOutAccuracy = baseHeldOut?.AverageAtK,
            BaseHeldOutGreedy = baseHeldOut?.GreedyAccuracy,
            ScoreMicroseconds = directMicros,
            BoundedScoreMicroseconds = boundedMicros,
        };
        foreach (var line in result.Describe()) log.WriteLine(line);
        return result;
    }

    private static async Task<RunFigures> RunOne(Setup setup, Schedule schedule, int repeat, bool evaluate, CancellationToken cancel)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var loadBefore = MachineLoad.OneMinute();
        var timeline = new RunTimeline();
        var settings = setup.Pipeline with { MaxStaleness = schedule.MaxStaleness };
        var algorithm = setup.NewAlgorithm(settings);
        using var learner = new TorchLearnerEngine(setup.NewBaseCopy(), setup.Policy.Codec, algorithm, setup.RunLearnerSettings.Trainer);
        var requeued = 0;
        if (schedule.Actors)
            requeued = await RunActors(setup, settings, schedule, repeat, learner, algorithm.Gate, timeline);
        else
            await OnDedicatedThread(schedule.TorchThreads, () => RunLoop(setup, settings, learner, algorithm.Gate, timeline));
        var loadAfter = MachineLoad.OneMinute();

        BenchmarkResult? heldOut = null;
        if (evaluate)
            heldOut = await OnDedicatedThread(Environment.ProcessorCount, () => setup.Evaluate(learner.Model, cancel));
        return RunFigures.From(schedule.Name, repeat, schedule.MaxStaleness, schedule.TorchThreads, timeline, requeued,
            loadBefore, loadAfter, heldOut);
    }

    /// <summary>The actor pipeline as <see cref="TrainingRun"/> wires it (in-memory journal, no checkpoints).</summary>
    private static async Task<int> RunActors(Setup setup, PipelineSettings settings, Schedule schedule, int repeat,
        TorchLearnerEngine learner, IGatePolicy gate, RunTimeline timeline)
    {
        // Pinned actor threads take the global thread count at their first tensor operation.
        torch.set_num_threads(schedule.TorchThreads);
        var rollout = (Func<IRolloutEngine>)(() => TimedRolloutEngine.For(setup.NewRolloutEngine(), timeline));
        var parts = new PipelineParts($"bench-{schedule.Name}-{repeat}", setup.Seed, settings, setup.Problems, [rollout],
            new TimedLearnerEngine(learner, timeline), setup.Scorer, gate);
        var host = await AkkaHost.StartAsync("hpt-bench", setup.Config,
            akka => akka.WithRunJournal(PersistenceSettings.Default with { Store = JournalStore.Memory }, Path.GetTempPath()));
        try
        {
            var pipeline = await Pipeline.StartAsync(host.System, parts, settings.ComputeDispatcher, TimeSpan.FromMinutes(1));
            await pipeline.WhenCompleted(TimeSpan.FromHours(2));
            var status = await pipeline.Coordinator.Ask<RunStatus>(GetRunStatus.Instance, TimeSpan.FromSeconds(30));
            return status.Requeued;
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>
    /// The same work without actors: one thread, the engines called in turn (eta = 0), generating as the rollout worker
    /// does (a continuous engine keeps its prompt capacity submitted and decodes step by step; a group engine takes one
    /// prompt at a time), so that the two runs differ only by the actors.
    /// </summary>
    private static int RunLoop(Setup setup, PipelineSettings settings, TorchLearnerEngine learnerEngine, IGatePolicy gate, RunTimeline timeline)
    {
        var learner = new TimedLearnerEngine(learnerEngine, timeline);
        using var rollout = TimedRolloutEngine.For(setup.NewRolloutEngine(), timeline);
        var problems = new ProblemBook(setup.Problems, setup.Seed);
        rollout.LoadPolicy(learner.Snapshot());
        long seq = 0;
        for (var step = 0; step < settings.TotalSteps; step++)
        {
            var batch = new List<StepPrompt>(settings.PromptsPerStep);
            var generated = Generate(rollout, problems, seq, settings.PromptsPerStep, settings.SamplesPerPrompt);
            for (var i = 0; i < settings.PromptsPerStep; i++, seq++)
            {
                var p = problems.At(seq);
                var rollouts = generated[seq];
                var rewards = rollouts.Select(r => setup.Scorer.Score(p, r.Text)).ToArray();
                var expertReward = p.Demonstration is { } demo ? setup.Scorer.Score(p, demo) : 0;
                var decision = gate.Decide(new GroupOutcome(p.Id, rewards, learner.PolicyVersion, p.Demonstration is not null, expertReward));
                var rows = decision.TrainingRows().Select(row => row.RolloutIndex is { } r
                        ? new TrainRow(rollouts[r], null, row.Advantage, row.RlWeight, row.SftWeight)
                        : new TrainRow(null, p.Demonstration, row.Advantage, row.RlWeight, row.SftWeight))
                    .ToArray();
                batch.Add(new StepPrompt(seq, p.Prompt, rows) { Rewards = rewards });
            }
            learner.Train(batch);
            rollout.LoadPolicy(learner.Snapshot());
        }
        return 0;
    }

    /// <summary>The rollouts of prompts <paramref name="first"/> .. first + count - 1, by seq.</summary>
    private static Dictionary<long, IReadOnlyList<Rollout>> Generate(IRolloutEngine engine, ProblemBook problems, long first, int count, int samples)
    {
        var done = new Dictionary<long, IReadOnlyList<Rollout>>(count);
        if (engine is not IContinuousRolloutEngine continuous)
        {
            for (var seq = first; seq < first + count; seq++) done[seq] = engine.Generate(new RolloutRequest(seq, problems.At(seq).Prompt, samples));
            return done;
        }
        var next = first;
        var held = 0;
        while (done.Count < count)
        {
            for (; held < continuous.PromptCapacity && next < first + count; next++, held++)
                continuous.Submit(new RolloutRequest(next, problems.At(next).Prompt, samples));
            foreach (var finished in continuous.Step())
            {
                done[finished.Request.Seq] = finished.Rollouts;
                held--;
            }
        }
        return done;
    }

    private static PipelineBenchmarkResult Summarise(PipelineBenchmarkOptions options, Setup setup, IReadOnlyList<RunFigures> runs,
        int cores, int split, double? loadStart, double? loadEnd)
    {
        RunFigures[] Of(string name) => runs.Where(r => r.Name == name).OrderBy(r => r.Repeat).ToArray();
        var loop = Of(Loop);
        var sync = Of(Sync);
        var async = Of(Async);
        var all = Of(SyncAllCores);
        double PairedMedian(RunFigures[] a, RunFigures[] b, Func<RunFigures, RunFigures, double> f) =>
            Median(a.Zip(b, f).ToArray());

        var syncFirst = sync[0];
        var asyncFirst = async[0];
        return new PipelineBenchmarkResult
        {
            Steps = options.Steps,
            PromptsPerStep = options.Prompts,
            SamplesPerPrompt = options.Samples,
            WarmupSteps = options.WarmupSteps,
            Repeats = options.Repeats,
            MaxNewTokens = setup.Sampling.MaxNewTokens,
            Model = setup.ModelDescription,
            Parameters = setup.Parameters,
            Algorithm = setup.AlgorithmName,
            Task = setup.Task.Name,
            RolloutBatching = setup.Rollout.Batching.ToString().ToLowerInvariant(),
            Seed = setup.Seed,
            LearningRate = setup.RunLearnerSettings.LearningRate,
            WarmupLearningRate = setup.WarmupLearnerSettings.LearningRate,
            Cores = cores,
            TorchThreadsSplit = split,
            TorchThreadsAllCores = cores,
            LoopSamplesPerSecond = Median(loop.Select(r => r.SamplesPerSecond).ToArray()),
            SyncSamplesPerSecond = Median(sync.Select(r => r.SamplesPerSecond).ToArray()),
            AsyncSamplesPerSecond = Median(async.Select(r => r.SamplesPerSecond).ToArray()),
            SyncAllCoresSamplesPerSecond = Median(all.Select(r => r.SamplesPerSecond).ToArray()),
            AsyncOverSync = PairedMedian(async, sync, (a, s) => a.SamplesPerSecond / s.SamplesPerSecond),
            AsyncOverSyncAllCores = PairedMedian(async, all, (a, s) => a.SamplesPerSecond / s.SamplesPerSecond),
            ActorOverhead = PairedMedian(sync, loop, (s, l) => l.SamplesPerSecond / s.SamplesPerSecond - 1),
            ActorOverheadCpu = PairedMedian(sync, loop, (s, l) => s.CpuSecondsPerSample / l.CpuSecondsPerSample - 1),
            LoopNeitherBusyMilliseconds = 1000 * Median(loop.Select(r => r.NeitherBusySecondsPerStep).ToArray()),
            SyncNeitherBusyMilliseconds = 1000 * Median(sync.Select(r => r.NeitherBusySecondsPerStep).ToArray()),
            SyncStepMilliseconds = 1000 * Median(sync.Select(r => r.WindowSeconds / Math.Max(1, r.Steps - 1)).ToArray()),
            IdealAsyncOverSync = Median(sync.Select(r => r.IdealOverlapSpeedup).ToArray()),
            GenerateSecondsPerStep = Median(sync.Select(r => r.GenerateSecondsPerStep).ToArray()),
            TrainSecondsPerStep = Median(sync.Select(r => r.TrainSecondsPerStep).ToArray()),
            SyncLearnerIdle = Median(sync.Select(r => r.LearnerIdle).ToArray()),
            SyncRolloutIdle = Median(sync.Select(r => r.RolloutIdle).ToArray()),
            AsyncLearnerIdle = Median(async.Select(r => r.LearnerIdle).ToArray()),
            AsyncRolloutIdle = Median(async.Select(r => r.RolloutIdle).ToArray()),
            AsyncRequeued = async.Sum(r => r.Requeued),
            LoopFinalReward = loop[0].FinalReward,
            SyncFinalReward = syncFirst.FinalReward,
            AsyncFinalReward = asyncFirst.FinalReward,
            SyncAllCoresFinalReward = all[0].FinalReward,
            SyncLastQuarterReward = syncFirst.LastQuarterReward,
            AsyncLastQuarterReward = asyncFirst.LastQuarterReward,
            SyncHeldOutAccuracy = syncFirst.HeldOut?.AverageAtK,
            AsyncHeldOutAccuracy = asyncFirst.HeldOut?.AverageAtK,
            SyncHeldOutGreedy = syncFirst.HeldOut?.GreedyAccuracy,
            AsyncHeldOutGreedy = asyncFirst.HeldOut?.GreedyAccuracy,
            HeldOutProblems = syncFirst.HeldOut?.Problems ?? 0,
            HeldOutSamples = syncFirst.HeldOut?.Samples ?? 0,
            LoopMatchesSync = loop[0].StepRewards.SequenceEqual(syncFirst.StepRewards),
            LoadAverageStart = loadStart,
            LoadAverageEnd = loadEnd,
            Runs = runs.Select(r => r.ToJson()).ToArray(),
        };
    }

    /// <summary>
    /// Microseconds per reward check called directly (the loop) and through the verifier actor's time bound
    /// (<see cref="Hpt.Actors.Verification.BoundedCheck"/>, a group's checks handed to its check thread as one job, as the
    /// verifier does: the group's samples and its demonstration): the part of the actor overhead that the verifier pool
    /// adds per sample. Both are timed after one untimed pass (JIT, and the check thread's start).
    /// </summary>
    private static (double Direct, double Bounded) VerifierCheckCost(Setup setup, int samples)
    {
        var works = setup.Problems.Take(64).ToArray();
        var timeout = setup.Pipeline.VerifierTimeout;
        var perGroup = samples + 1;
        double Time(Action<Problem> group)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var round = 0; round < 4; round++)
                foreach (var work in works) group(work);
            return clock.Elapsed.TotalMicroseconds / (4.0 * works.Length * perGroup);
        }
        void Direct(Problem w)
        {
            for (var i = 0; i < perGroup; i++) setup.Scorer.Score(w, w.Demonstration ?? w.Answer);
        }
        using var checks = new Hpt.Actors.Verification.BoundedCheck();
        void Bounded(Problem w) =>
            checks.RunAll(Enumerable.Range(0, perGroup).Select(_ => (Func<double>)(() => setup.Scorer.Score(w, w.Demonstration ?? w.Answer))).ToArray(), timeout);
        Time(Direct);
        var direct = Time(Direct);
        Time(Bounded);
        var bounded = Time(Bounded);
        return (direct, bounded);
    }

    internal static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }


    internal static string Format(double? load) => load is { } l ? l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    /// <summary>
    /// Runs <paramref name="work"/> on a fresh thread that uses <paramref name="torchThreads"/> libtorch threads (the
    /// count is per OS thread once set, so thread-pool threads that ran tensor code before cannot be trusted).
    /// </summary>
    private static Task<T> OnDedicatedThread<T>(int torchThreads, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                torch.set_num_threads(torchThreads);
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = "hpt-bench" };
        thread.Start();
        return done.Task;
    }

    /// <summary>What every run shares: configuration, data, the warmed-up base model.</summary>
    private sealed class Setup : IDisposable
    {
        public required Config Config { get; init; }
        public required int Seed { get; init; }
        public required PipelineSettings Pipeline { get; init; }
        public required LearnerSettings LearnerSettings { get; init; }
        public required LearnerSettings WarmupLearnerSettings { get; init; }
        public required AlgorithmConfig AlgorithmConfig { get; init; }
        public required int MaxNewTokens { get; init; }
        public required TrainingTask Task { get; init; }
        public required PolicyFactory Policy { get; init; }
        public required SamplingOptions Sampling { get; init; }
        public required CausalLM BaseModel { get; init; }
        public required IReadOnlyList<Problem> Problems { get; init; }
        public required IRewardScorer Scorer { get; init; }
        public required int EvalProblems { get; init; }
        public required int EvalSamples { get; init; }
        public required string RolloutDevice { get; init; }
        public required RolloutSettings Rollout { get; init; }

        public required LearnerSettings RunLearnerSettings { get; init; }

        public string AlgorithmName => AlgorithmConfig.Name;
        public long Parameters => BaseModel.ParameterCount();

        public string ModelDescription =>
            $"d{Policy.Config.HiddenSize} x {Policy.Config.NumHiddenLayers} layers, vocab {Policy.Config.VocabSize}, {Parameters / 1e6:0.00}M parameters";

        public static Setup Create(PipelineBenchmarkOptions options, TextWriter log)
        {
            string[] fixedSettings =
            [
                $"pipeline.total-steps={options.Steps}",
                $"pipeline.prompts-per-step={options.Prompts}",
                $"pipeline.samples-per-prompt={options.Samples}",
                $"task.warmup-steps={options.WarmupSteps}",
                "persistence.store=memory",
            ];
            var config = HptConfig.Load(overrides: fixedSettings.Concat(options.Overrides));
            var run = RunSettings.Create(config);
            var rollout = RolloutSettings.Create(config);
            var learner = LearnerSettings.Create(config);
            var taskSettings = TaskSettings.Create(config);
            var policy = PolicyFactory.Create(ModelSettings.Create(config), PromptSettings.Create(config), taskSettings.DemonstrationTokenLimit);
            var task = TrainingTask.Create(taskSettings, run.Seed, policy.Codec);
            if (rollout.Devices.Count != 1)
                log.WriteLine($"note: hpt.rollout.devices lists {rollout.Devices.Count} devices; the benchmark uses one rollout worker on the first");
            var sampling = policy.Sampling(rollout);
            return new Setup
            {
                Config = config,
                Seed = run.Seed,
                Pipeline = PipelineSettings.Create(config),
                LearnerSettings = learner,
                WarmupLearnerSettings = learner with { LearningRate = taskSettings.WarmupLearningRate },
                RunLearnerSettings = learner with { LearningRate = options.LearningRate ?? learner.LearningRate },
                AlgorithmConfig = AlgorithmSection.Read(config),
                MaxNewTokens = rollout.MaxNewTokens,
                Task = task,
                Policy = policy,
                Sampling = sampling,
                BaseModel = policy.NewModel(learner.Device, run.Seed),
                Problems = task.Train,
                Scorer = new TaskRewardScorer(task.Reward),
                EvalProblems = Math.Min(options.EvalProblems, task.HeldOut.Count),
                EvalSamples = options.EvalSamples,
                RolloutDevice = rollout.Devices[0],
                Rollout = rollout,
            };
        }

        /// <summary>The algorithm as a pipeline with these settings runs it (the correction depends on the staleness).</summary>
        public Algorithm NewAlgorithm(PipelineSettings pipeline) =>
            AlgorithmFactory.Create(AlgorithmSection.ForPipeline(AlgorithmConfig, pipeline, MaxNewTokens));

        /// <summary>A fresh learner model holding the base model's weights.</summary>
        public CausalLM NewBaseCopy()
        {
            var model = Policy.NewModel(LearnerSettings.Device, Seed);
            PolicyWeights.CopyInto(BaseModel, model);
            return model;
        }

        /// <summary>The engine a training run's worker gets (hpt.rollout.batching: continuous or group).</summary>
        public IRolloutEngine NewRolloutEngine() => Policy.NewRolloutEngine(Rollout, RolloutDevice, Seed, Pipeline.SamplesPerPrompt);

        public BenchmarkResult Evaluate(CausalLM model, CancellationToken cancel) =>
            new EvaluationHarness(ModelSampling.For(model, Policy.Codec, (ulong)Seed + 17), batchSize: 64)
                .EvaluateAsync($"{Task.Name} held-out", Task.HeldOut.Take(EvalProblems).ToArray(), Task.Reward,
                    EvaluationProtocol.Small(samples: EvalSamples, maxNewTokens: Sampling.MaxNewTokens), cancel)
                .GetAwaiter().GetResult();

        public void Dispose() => BaseModel.Dispose();
    }
}
