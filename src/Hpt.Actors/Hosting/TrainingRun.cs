using System.Diagnostics;
using System.Text.Json;
using Hpt.Actors.Checkpoints;
using Hpt.Actors.Persistence;
using Akka.Actor;
using Akka.Configuration;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Tasks.Evaluation;
using TorchSharp;

namespace Hpt.Actors.Hosting;

/// <summary>
/// One training run from configuration to report: base model (warm-up, checkpoint step 0), held-out evaluation,
/// the actor pipeline until the last step, evaluation again. Re-running it with the same run directory resumes:
/// the journal says which steps are done, the newest intact checkpoint at or before them is loaded, and the rest
/// is trained. Cancelling saves a checkpoint and stops; nothing completed is lost.
/// </summary>
public static class TrainingRun
{
    public static async Task<RunOutcome> RunAsync(Config config, IRunObserver observer, CancellationToken cancel)
    {
        var settings = RunConfiguration.From(config);
        var (run, pipelineSettings, rollout, learnerSettings, taskSettings) =
            (settings.Run, settings.Pipeline, settings.Rollout, settings.Learner, settings.Task);
        torch.set_num_threads(settings.Cores);

        // Everything that can be checked is checked before any work, and before run.json is written (a failed start
        // must not poison the run directory): devices open, the journal accepts a connection, the data loads.
        StartupChecks.Device("hpt.learner.device", learnerSettings.Device);
        foreach (var device in rollout.Devices.Distinct()) StartupChecks.Device("hpt.rollout.devices", device);
        var dir = new RunDirectory(run.Directory);
        var resuming = !dir.IsNew;
        StorageCheck.Writable("hpt.run.dir", dir.Path, run.MinFreeSpace);
        StartupChecks.Journal(settings.Persistence, dir.Path);
        var policy = PolicyFactory.Create(settings.Model, PromptSettings.Create(config), taskSettings.DemonstrationTokenLimit);
        var task = TrainingTask.Create(taskSettings, run.Seed, policy.Codec);
        TaskChecks.Check(task, taskSettings.Name, policy.Codec, policy.Config.MaxPositionEmbeddings);

        dir.Claim(config);
        observer.Started(dir.Path);
        observer.Message($"{(resuming ? "resuming" : "starting")} run '{run.Id}' in {dir.Path} ({settings.Algorithm.Config.Name}, " +
                         $"{pipelineSettings.TotalSteps} steps x {pipelineSettings.PromptsPerStep} prompts x {pipelineSettings.SamplesPerPrompt} samples, eta {pipelineSettings.MaxStaleness})");

        foreach (var note in AlgorithmSection.Notes(config)) observer.Message($"note: {note}");
        observer.Message($"prompts: {policy.Codec.Format.Describe()}");
        observer.Message($"sampling: {rollout.DescribeSampling()}");
        observer.Message($"rollout: {rollout.DescribeBatching()}");
        RunAssembly.ReportData(task, taskSettings, observer);
        var store = RunAssembly.Checkpoints(settings, dir, policy, observer);
        var evaluation = EvaluationChoice.ForTraining(taskSettings.EvalProtocol, taskSettings.EvalSamples, rollout.MaxNewTokens);
        var context = new RunContext(settings, dir, task, policy, store, observer);

        RunAssembly.EnsureBaseModel(context);

        using var engine = new TorchLearnerEngine(policy.NewModel(learnerSettings.Device, run.Seed), policy.Codec, settings.Algorithm,
            learnerSettings.Trainer);
        var before = await EvaluateBeforeAsync(dir, store, engine, policy, task, evaluation, run.Seed, observer, cancel);

        var clock = Stopwatch.StartNew();
        var (steps, completed) = await TrainAsync(context, engine, cancel);
        var trainSeconds = clock.Elapsed.TotalSeconds;

        BenchmarkResult? after = null;
        if (completed)
        {
            policy.WriteFinalModel(engine.Model, dir.FinalModel);
            observer.Message($"final model: {dir.FinalModel} (a Hugging Face folder; load it with hpt.model.path)");
            after = await Evaluate(engine, policy, task, evaluation, run.Seed, cancel);
            RunDirectory.WriteAtomically(dir.EvalAfterFile, JsonSerializer.SerializeToUtf8Bytes(after));
            observer.Evaluated("after", after);
        }
        return new RunOutcome(dir.Path, steps, pipelineSettings.TotalSteps, completed, before, after, trainSeconds);
    }

    private static async Task<BenchmarkResult> EvaluateBeforeAsync(RunDirectory dir, CheckpointStore store, TorchLearnerEngine engine,
        PolicyFactory policy, TrainingTask task, EvaluationProtocol protocol, int seed, IRunObserver observer, CancellationToken cancel)
    {
        BenchmarkResult before;
        if (File.Exists(dir.EvalBeforeFile))
        {
            before = JsonSerializer.Deserialize<BenchmarkResult>(File.ReadAllBytes(dir.EvalBeforeFile))
                     ?? throw new InvalidDataException($"{dir.EvalBeforeFile} is empty");
        }
        else
        {
            var baseCheckpoint = store.LoadLatest(0) ?? throw new InvalidOperationException("the base model checkpoint (step 0) is missing");
            engine.LoadCheckpoint(baseCheckpoint.Folder, 0);
            before = await Evaluate(engine, policy, task, protocol, seed, cancel);
            RunDirectory.WriteAtomically(dir.EvalBeforeFile, JsonSerializer.SerializeToUtf8Bytes(before));
        }
        observer.Evaluated("before", before);
        return before;
    }

    private static Task<BenchmarkResult> Evaluate(TorchLearnerEngine engine, PolicyFactory policy, TrainingTask task,
        EvaluationProtocol protocol, int seed, CancellationToken cancel) =>
        new EvaluationHarness(ModelSampling.For(engine.Model, policy.Codec, (ulong)seed + 17), batchSize: 64)
            .EvaluateAsync($"{task.Name} held-out", task.HeldOut, task.HeldOutReward, protocol, cancel);

    private static async Task<(long Steps, bool Completed)> TrainAsync(RunContext context, TorchLearnerEngine engine, CancellationToken cancel)
    {
        var (settings, observer) = (context.Settings, context.Observer);
        var (run, rollout) = (settings.Run, settings.Rollout);
        var engines = rollout.Devices
            .Select(device => (Func<IRolloutEngine>)(() =>
                context.Policy.NewRolloutEngine(rollout, device, run.Seed, settings.Pipeline.SamplesPerPrompt)))
            .ToArray();
        var parts = RunAssembly.Parts(context, engine, engines);

        // Rollout workers and the learner run at the same time: split the cores between them (warm-up and
        // evaluation, which run alone, use them all).
        var cores = settings.Cores;
        torch.set_num_threads(Math.Max(1, cores / (rollout.Devices.Count + 1)));
        var host = await AkkaHost.StartAsync("hpt", settings.Root, akka => akka
            .WithRunJournal(settings.Persistence, context.Dir.Path)
            .WithRunServices(observer, context.Dir.StatusFile));
        try
        {
            // Every wait below also ends when an actor reports a failure that a restart cannot cure.
            var failure = RunFailureWatch.Start(host.System);
            var progress = await host.ActorAsync<ProgressForwarder>(cancel);
            var pipeline = await failure.Guard(Pipeline.StartAsync(host.System, parts, settings.Pipeline.ComputeDispatcher, TimeSpan.FromMinutes(2)));
            if (pipeline.StartStatus.Completed)
            {
                observer.Message($"the run is already complete at step {pipeline.StartStatus.PolicyVersion}; raise hpt.pipeline.total-steps to extend it");
                return (pipeline.StartStatus.PolicyVersion, true);
            }

            var completion = pipeline.WhenCompleted(Timeout.InfiniteTimeSpan);
            var stopped = Task.Delay(Timeout.Infinite, cancel);
            var first = await Task.WhenAny(completion, stopped, failure.Failed);
            if (first == failure.Failed) throw new RunFailedException(await failure.Failed);
            if (first == completion && completion.Exception?.InnerException is RunStalledException stall)
            {
                // Stop rather than wait forever, but keep what was trained: a checkpoint first (the learner may be the
                // stuck part, so this wait is bounded), then a clear error.
                observer.Message("stopping: saving a checkpoint of the current policy ...");
                string where;
                try
                {
                    var checkpoint = await pipeline.Learner.Ask<CheckpointSaved>(SaveCheckpointNow.Instance, TimeSpan.FromMinutes(2));
                    where = checkpoint.Folder is null ? $"the checkpoint of step {checkpoint.Step} is already on disk" : $"checkpoint {checkpoint.Folder}";
                }
                catch (Exception e) when (e is TimeoutException or AskTimeoutException or TaskCanceledException)
                {
                    where = "the learner did not answer within 2 minutes, so no new checkpoint (the newest one on disk is used on resume)";
                }
                throw new InvalidOperationException($"{stall.Message}. Stopped; {where}. Fix the cause and run the same command to resume.", stall);
            }
            if (first == completion)
            {
                // The last step's progress event is published just before completion; let the observer see it.
                await progress.Ask<ProgressForwarder.Flush>(ProgressForwarder.Flush.Instance, TimeSpan.FromSeconds(30));
                return ((await completion).PolicyVersion, true);
            }

            observer.Message("stopping: saving a checkpoint of the current policy ...");
            var saved = await failure.Guard(pipeline.Learner.Ask<CheckpointSaved>(SaveCheckpointNow.Instance, TimeSpan.FromMinutes(10)));
            var status = await failure.Guard(pipeline.Coordinator.Ask<RunStatus>(GetRunStatus.Instance, TimeSpan.FromSeconds(30)));
            observer.Message($"stopped at step {status.PolicyVersion}; checkpoint {(saved.Folder is null ? "already on disk" : saved.Folder)}. " +
                             "Run the same command again to resume.");
            return (status.PolicyVersion, false);
        }
        finally
        {
            await host.DisposeAsync();
            torch.set_num_threads(cores);
        }
    }
}
