using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using Hpt.Actors.Hosting;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using TorchSharp;
using Hpt.Actors.WeightPublishing;

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
        var settings = RunConfiguration.From(config);
        var (run, pipelineSettings, rollout, learnerSettings, taskSettings) =
            (settings.Run, settings.Pipeline, settings.Rollout, settings.Learner, settings.Task);
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
        // Only the learner node journals; the others get the in-memory plugin.
        var journal = isLearner ? settings.Persistence : settings.Persistence with { Store = JournalStore.Memory };
        if (isLearner) StartupChecks.Journal(journal, dir.Path);
        // Rollout-only nodes need no data: prompts arrive in messages.
        var policy = PolicyFactory.Create(settings.Model, PromptSettings.Create(config), taskSettings.DemonstrationTokenLimit);
        var task = isLearner || cluster.EffectiveRoles.Contains(ClusterSettings.Verifier) ? TrainingTask.Create(taskSettings, run.Seed, policy.Codec) : null;
        if (task is not null) TaskChecks.Check(task, taskSettings.Name, policy.Codec, policy.Config.MaxPositionEmbeddings);
        if (isLearner)
        {
            dir.Claim(config);
            observer.Started(dir.Path);
        }
        var weights = new SharedWeightStore(cluster.ResolveWeightsDirectory(dir.Path), cluster.KeepWeights);
        if (task is not null && isLearner) RunAssembly.ReportData(task, taskSettings, observer);
        var computeUsers = (cluster.Has(ClusterSettings.Rollout) ? rollout.Devices.Count : 0) + (isLearner ? 1 : 0);
        torch.set_num_threads(Math.Max(1, settings.Cores / Math.Max(1, computeUsers)));

        var parts = new NodeParts
        {
            Scorer = task is null ? null : new TaskRewardScorer(task.Reward),
            Problems = task is null ? null : new Coordinator.ProblemBook(task.Train, run.Seed),
            Verifiers = pipelineSettings.Verifiers,
            VerifierTimeout = pipelineSettings.VerifierTimeout,
            ComputeDispatcher = pipelineSettings.ComputeDispatcher,
        };
        SharedWeightsLearnerEngine? learner = null;
        if (isLearner)
        {
            var context = new RunContext(settings, dir, task!, policy, RunAssembly.Checkpoints(settings, dir, policy, observer), observer);
            learner = CreateLearner(context, weights);
            parts = parts with { Learner = () => RunAssembly.Parts(context, learner, []), RunDirectory = dir.Path };
        }
        if (cluster.Has(ClusterSettings.Rollout))
        {
            parts = parts with
            {
                // The same engine a single-process run builds (rollout.batching), fed from the shared weights directory.
                RolloutEngines = rollout.Devices.Select(device => (Func<IRolloutEngine>)(() => SharedWeightsRolloutEngine.Wrap(
                        policy.NewRolloutEngine(rollout, device, run.Seed, pipelineSettings.SamplesPerPrompt), weights, observer.Message)))
                    .ToArray(),
            };
        }

        // Whether this node may take part, decided while it joins (JoinCheck): started with the system, as the join is.
        var joined = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = await AkkaHost.StartAsync(ClusterSettings.SystemName, config, akka =>
        {
            akka.WithActors((system, _) => JoinCheck.Start(system, joined, cluster.Admission));
            ClusterNode.Configure(akka.WithRunJournal(journal, dir.Path).WithClusterNode(cluster), cluster, parts);
            if (isLearner) akka.WithRunServices(observer, dir.StatusFile);
        }, ClusterTls.SslSetup(cluster));
        var system = host.System;
        try
        {
            var failure = RunFailureWatch.Start(system);
            var member = Akka.Cluster.Cluster.Get(system);
            if (cluster.SeedNodes.Count == 0) await member.JoinAsync(member.SelfAddress, cancel);
            observer.Message($"node {member.SelfAddress} [{string.Join(", ", cluster.PlayedRoles)}]; " +
                             $"hpt {NodeAdmission.Version}; weights in {weights.Directory}");
            if (await joined.Task.WaitAsync(cancel) is { } refused) throw new RunFailedException(refused);
            var node = await failure.Guard(ClusterNode.StartAsync(system, cluster, parts, cancel));
            observer.Message("joined the cluster");
            if (!isLearner) system.ActorOf(LearnerPresence.Props(), "learner-presence");
            system.ActorOf(AdmissionGuard.Props(cluster.Admission), "admission-guard"); // a node of another build or settings leaves
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
                observer.Message($"the run is complete at step {done.PolicyVersion}");
                // Let the other nodes hear it from this learner before it leaves.
                if (isLearner) await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
                return (done.PolicyVersion, true);
            }
            if (!isLearner) return (-1, false); // leaving hands this node's prompts back to the coordinator
            observer.Message("stopping: saving a checkpoint of the current policy ...");
            var saved = await failure.Guard(node.Learner.Ask<CheckpointSaved>(SaveCheckpointNow.Instance, TimeSpan.FromMinutes(10)));
            observer.Message($"checkpoint {(saved.Folder is null ? "already on disk" : saved.Folder)}");
            var status = await node.StatusAsync(TimeSpan.FromSeconds(30));
            return (status.PolicyVersion, false);
        }
        finally
        {
            // A graceful leave: the singleton hands over at once, the coordinator re-issues this node's prompts.
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
            await host.DisposeAsync();
            learner?.Dispose();
        }
    }

    private static SharedWeightsLearnerEngine CreateLearner(RunContext context, SharedWeightStore weights)
    {
        RunAssembly.EnsureBaseModel(context);
        var (settings, policy) = (context.Settings, context.Policy);
        var engine = new TorchLearnerEngine(policy.NewModel(settings.Learner.Device, settings.Run.Seed), policy.Codec, settings.Algorithm,
            settings.Learner.Trainer);
        return SharedWeightsLearnerEngine.ForTorch(engine, weights);
    }
}
