using Akka.Actor;
using Akka.Configuration;
using Hpt.Actors.Checkpoints;
using Hpt.Actors.Coordinator;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using Hpt.Actors.Hosting;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Core.Configuration;
using Hpt.Model.Sampling;
using Hpt.Model.Weights;
using TorchSharp;

namespace Hpt.Actors.Cluster;

/// <summary>
/// One node of a multi-node training run (`hpt node`): builds the Torch engines of this node's roles, joins the
/// cluster and serves until the run completes (every node learns it from the learner singleton) or it is stopped.
/// The learner node owns the run directory (journal, checkpoints, metrics) like `hpt train`, minus the held-out
/// evaluations; every node reads weights from the shared weights directory.
/// </summary>
public static class ClusterRun
{
    public static async Task<(long Steps, bool Completed)> RunAsync(Config config, IRunObserver observer, CancellationToken cancel)
    {
        var cluster = ClusterSettings.Create(config);
        var run = RunSettings.Create(config);
        var pipelineSettings = PipelineSettings.Create(config);
        var rollout = RolloutSettings.Create(config);
        var learnerSettings = LearnerSettings.Create(config);
        var modelSettings = ModelSettings.Create(config);
        var taskSettings = TaskSettings.Create(config);
        pipelineSettings.Validate();

        var isLearner = cluster.Has(ClusterSettings.Learner);
        var dir = new RunDirectory(run.Directory);
        // As in `hpt train`: devices, journal and data are checked before run.json is written and before any work.
        if (isLearner) StartupChecks.Device("hpt.learner.device", learnerSettings.Device);
        if (cluster.Has(ClusterSettings.Rollout))
            foreach (var device in rollout.Devices.Distinct()) StartupChecks.Device("hpt.rollout.devices", device);
        if (isLearner) // the learner writes the journal, checkpoints and weight files; other nodes only read
        {
            StorageCheck.Writable("hpt.run.dir", dir.Path, run.MinFreeSpace);
            StorageCheck.Writable("hpt.cluster.weights-dir", cluster.ResolveWeightsDirectory(dir.Path), run.MinFreeSpace);
        }
        var journal = isLearner
            ? StartupChecks.Journal(PersistenceSettings.Create(config), dir.Path)
            : ConfigurationFactory.ParseString("akka.persistence.journal.plugin = \"akka.persistence.journal.inmem\"");
        // Rollout-only nodes need no data: prompts arrive in messages.
        var policy = PolicyFactory.Create(modelSettings, PromptSettings.Create(config), taskSettings.DemonstrationTokenLimit);
        var task = isLearner || cluster.EffectiveRoles.Contains(ClusterSettings.Verifier) ? TrainingTask.Create(taskSettings, run.Seed, policy.Codec) : null;
        if (task is not null) TaskChecks.Check(task, taskSettings.Name, policy.Codec, policy.Config.MaxPositionEmbeddings);
        if (isLearner)
        {
            dir.Claim(config);
            observer.Started(dir.Path);
        }
        var weights = new SharedWeightStore(cluster.ResolveWeightsDirectory(dir.Path), cluster.KeepWeights);
        if (task is not null && isLearner) RunAssembly.ReportData(task, taskSettings, observer);
        var cores = run.TorchThreads > 0 ? run.TorchThreads : Environment.ProcessorCount;
        var computeUsers = (cluster.Has(ClusterSettings.Rollout) ? rollout.Devices.Count : 0) + (isLearner ? 1 : 0);
        torch.set_num_threads(Math.Max(1, cores / Math.Max(1, computeUsers)));

        var parts = new NodeParts
        {
            Scorer = task is null ? null : new TaskRewardScorer(task.Reward),
            Verifiers = pipelineSettings.Verifiers,
            VerifierTimeout = pipelineSettings.VerifierTimeout,
            ComputeDispatcher = pipelineSettings.ComputeDispatcher,
        };
        SharedWeightsLearnerEngine? learner = null;
        if (isLearner)
        {
            learner = CreateLearner(config, run, pipelineSettings, learnerSettings, taskSettings, task!, policy, weights, dir, observer);
            parts = parts with { Learner = LearnerParts(config, run, pipelineSettings, task!, learner, policy, dir, observer, RunAssembly.Intake(policy, rollout)) };
        }
        if (cluster.Has(ClusterSettings.Rollout))
        {
            var sampling = policy.Sampling(rollout);
            parts = parts with
            {
                RolloutEngines = rollout.Devices.Select(device => (Func<IRolloutEngine>)(() => new SharedWeightsRolloutEngine(
                        new TorchRolloutEngine(policy.NewModel(device, run.Seed), policy.Codec, sampling, run.Seed), weights,
                        observer.Message)))
                    .ToArray(),
            };
        }

        var akka = ClusterConfig.Build(cluster).WithFallback(journal).WithFallback(config);
        using var system = ActorSystem.Create(ClusterSettings.SystemName, ClusterTls.Setup(cluster, akka));
        try
        {
            var failure = RunFailureWatch.Start(system);
            var member = Akka.Cluster.Cluster.Get(system);
            if (cluster.SeedNodes.Count == 0) await member.JoinAsync(member.SelfAddress, cancel);
            observer.Message($"node {member.SelfAddress} [{string.Join(", ", cluster.PlayedRoles)}]; " +
                             $"hpt {NodeAdmission.Version}; weights in {weights.Directory}");
            if (isLearner)
            {
                system.ActorOf(ProgressForwarder.Props(observer), "progress");
                system.ActorOf(StatusFileWriter.Props(dir.StatusFile), "status-file");
            }
            if (await AdmissionGuard.RefusalAsync(member, cancel) is { } refused) throw new RunFailedException(refused);
            var node = await failure.Guard(ClusterNode.StartAsync(system, cluster, parts, cancel));
            observer.Message("joined the cluster");
            if (!isLearner) system.ActorOf(LearnerPresence.Props(), "learner-presence");
            system.ActorOf(AdmissionGuard.Props(), "admission-guard"); // a node of another build or settings leaves
            // Downed by the split-brain resolver (e.g. the learner side became unreachable): the system terminates by itself.
            var removed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            member.RegisterOnMemberRemoved(() => removed.TrySetResult(
                $"this node ({member.SelfAddress}) was removed from the cluster (downed: the learner was unreachable for longer than " +
                "hpt.cluster.stable-after, or the cluster shut down); start the learner node again, then this node"));

            var completion = node.WhenCompleted(Timeout.InfiniteTimeSpan);
            var first = await Task.WhenAny(completion, Task.Delay(Timeout.Infinite, cancel), failure.Failed, removed.Task);
            if (first == failure.Failed) throw new RunFailedException(await failure.Failed);
            if (first == removed.Task && !completion.IsCompleted) throw new RunFailedException(await removed.Task);
            if (first == completion)
            {
                if (completion.Exception?.InnerException is RunStalledException stall && isLearner)
                {
                    // As `hpt train`: a checkpoint first (bounded: the learner may be the stuck part), then the error.
                        try
                    {
                        var checkpoint = await node.Learner.Ask<CheckpointSaved>(SaveCheckpointNow.Instance, TimeSpan.FromMinutes(2));
                        observer.Message($"checkpoint {(checkpoint.Folder is null ? "already on disk" : checkpoint.Folder)}");
                    }
                    catch (Exception e) when (e is TimeoutException or AskTimeoutException or TaskCanceledException)
                    {
                        observer.Message("the learner did not answer within 2 minutes: no new checkpoint");
                    }
                }
                var done = await completion;
                observer.Message($"the run is complete at step {done.Steps}");
                // Let the other nodes hear it from this learner before it leaves.
                if (isLearner) await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
                return (done.Steps, true);
            }
            if (!isLearner) return (-1, false); // leaving hands this node's prompts back to the coordinator
            observer.Message("stopping: saving a checkpoint of the current policy ...");
            var saved = await failure.Guard(node.Learner.Ask<CheckpointSaved>(SaveCheckpointNow.Instance, TimeSpan.FromMinutes(10)));
            observer.Message($"checkpoint {(saved.Folder is null ? "already on disk" : saved.Folder)}");
            var status = await node.StatusAsync(TimeSpan.FromSeconds(30));
            return (status.Step, false);
        }
        finally
        {
            // A graceful leave: the singleton hands over at once, the coordinator re-issues this node's prompts.
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
            learner?.Dispose();
        }
    }

    private static SharedWeightsLearnerEngine CreateLearner(Config config, RunSettings run, PipelineSettings pipeline,
        LearnerSettings learnerSettings, TaskSettings taskSettings, TrainingTask task, PolicyFactory policy, SharedWeightStore weights,
        RunDirectory dir, IRunObserver observer)
    {
        var algorithm = AlgorithmFactory.Create(AlgorithmSection.Create(config));
        var checkpoints = CheckpointSettings.Create(config);
        var store = new CheckpointStore(dir.Checkpoints, checkpoints.Keep, w => observer.Message($"warning: {w}"), policy.WriteCheckpointCompanions, run.Id);
        RunAssembly.EnsureBaseModel(policy, task, taskSettings, pipeline, learnerSettings, run, store, RunDirectory.FingerprintHash(config), observer);
        var engine = new TorchLearnerEngine(policy.NewModel(learnerSettings.Device, run.Seed), policy.Codec, algorithm, learnerSettings.Trainer);
        return SharedWeightsLearnerEngine.ForTorch(engine, weights);
    }

    private static Func<PipelineParts> LearnerParts(Config config, RunSettings run, PipelineSettings pipeline, TrainingTask task,
        SharedWeightsLearnerEngine learner, PolicyFactory policy, RunDirectory dir, IRunObserver observer, IntakeLimits intake)
    {
        var checkpointSettings = CheckpointSettings.Create(config);
        var store = new CheckpointStore(dir.Checkpoints, checkpointSettings.Keep, w => observer.Message($"warning: {w}"), policy.WriteCheckpointCompanions, run.Id);
        var algorithm = AlgorithmFactory.Create(AlgorithmSection.Create(config));
        var configHash = RunDirectory.FingerprintHash(config);
        var snapshotEverySteps = PersistenceSettings.Create(config).SnapshotEverySteps;
        return () => RunAssembly.Parts(run, pipeline, task, learner, algorithm.Gate, [], store, checkpointSettings, configHash, observer,
            snapshotEverySteps) with { Intake = intake };
    }
}
