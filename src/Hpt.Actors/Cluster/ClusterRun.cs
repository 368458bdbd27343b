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
        if (isLearner)
        {
            dir.Claim(config);
            observer.Started(dir.Path);
        }
        var weights = new SharedWeightStore(cluster.ResolveWeightsDirectory(dir.Path), cluster.KeepWeights);
        // Rollout-only nodes need no data: prompts arrive in messages.
        var policy = PolicyFactory.Create(modelSettings, PromptSettings.Create(config), taskSettings.DemonstrationTokenLimit);
        var task = isLearner || cluster.EffectiveRoles.Contains(ClusterSettings.Verifier) ? TrainingTask.Create(taskSettings, run.Seed, policy.Codec) : null;
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
            parts = parts with { Learner = LearnerParts(config, run, pipelineSettings, task!, learner, policy, dir, observer) };
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

        var akka = ClusterConfig.Build(cluster)
            .WithFallback(isLearner
                ? PersistenceConfig.Build(PersistenceSettings.Create(config), dir.Path)
                : ConfigurationFactory.ParseString("akka.persistence.journal.plugin = \"akka.persistence.journal.inmem\""))
            .WithFallback(config);
        using var system = ActorSystem.Create(ClusterSettings.SystemName, akka);
        try
        {
            var member = Akka.Cluster.Cluster.Get(system);
            if (cluster.SeedNodes.Count == 0) await member.JoinAsync(member.SelfAddress, cancel);
            observer.Message($"node {member.SelfAddress} [{string.Join(", ", cluster.EffectiveRoles)}]; weights in {weights.Directory}");
            if (isLearner) system.ActorOf(ProgressForwarder.Props(observer), "progress");
            var node = await ClusterNode.StartAsync(system, cluster, parts, cancel);
            observer.Message("joined the cluster");

            var completion = node.WhenCompleted(Timeout.InfiniteTimeSpan);
            if (await Task.WhenAny(completion, Task.Delay(Timeout.Infinite, cancel)) == completion)
            {
                var done = await completion;
                observer.Message($"the run is complete at step {done.Steps}");
                // Let the other nodes hear it from this learner before it leaves.
                if (isLearner) await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
                return (done.Steps, true);
            }
            if (!isLearner) return (-1, false); // leaving hands this node's prompts back to the coordinator
            observer.Message("stopping: saving a checkpoint of the current policy ...");
            var saved = await node.Learner.Ask<CheckpointSaved>(SaveCheckpointNow.Instance, TimeSpan.FromMinutes(10));
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
        var store = new CheckpointStore(dir.Checkpoints, checkpoints.Keep, w => observer.Message($"warning: {w}"), policy.WriteCheckpointCompanions);
        RunAssembly.EnsureBaseModel(policy, task, taskSettings, pipeline, learnerSettings, run, store, RunDirectory.FingerprintHash(config), observer);
        var engine = new TorchLearnerEngine(policy.NewModel(learnerSettings.Device, run.Seed), policy.Codec, algorithm, learnerSettings.Trainer);
        return SharedWeightsLearnerEngine.ForTorch(engine, weights);
    }

    private static Func<PipelineParts> LearnerParts(Config config, RunSettings run, PipelineSettings pipeline, TrainingTask task,
        SharedWeightsLearnerEngine learner, PolicyFactory policy, RunDirectory dir, IRunObserver observer)
    {
        var checkpointSettings = CheckpointSettings.Create(config);
        var store = new CheckpointStore(dir.Checkpoints, checkpointSettings.Keep, w => observer.Message($"warning: {w}"), policy.WriteCheckpointCompanions);
        var algorithm = AlgorithmFactory.Create(AlgorithmSection.Create(config));
        var configHash = RunDirectory.FingerprintHash(config);
        return () => RunAssembly.Parts(run, pipeline, task, learner, algorithm.Gate, [], store, checkpointSettings, configHash, observer);
    }
}
