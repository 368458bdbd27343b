using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Hpt.Actors.Checkpoints;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Learner;

/// <summary>
/// Collects the gate's decisions until a step's worth of prompts is in, trains one step, then publishes the new
/// policy. It is the last line of the staleness bound: a sample older than eta versions is never trained silently.
/// The engine and the set of trained prompt seqs are owned outside the actor, so a restart keeps the weights, the
/// optimizer state and the exactly-once guarantee.
/// Runs on the compute dispatcher: training blocks its thread.
/// </summary>
public sealed class LearnerActor : ReceiveActor
{
    private readonly ILearnerEngine _engine;
    private readonly IActorRef _coordinator;
    private readonly PipelineSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StepBatch _batch;
    private readonly Stopwatch _sinceLastStep = Stopwatch.StartNew();
    private readonly CheckpointSchedule? _checkpoints;
    private long _checkpointedVersion;

    public LearnerActor(ILearnerEngine engine, IActorRef coordinator, PipelineSettings settings, ISet<long> trainedSeqs,
        CheckpointSchedule? checkpoints = null)
    {
        _engine = engine;
        _coordinator = coordinator;
        _settings = settings;
        _batch = new StepBatch(settings.PromptsPerStep, trainedSeqs);
        _checkpoints = checkpoints;
        _checkpointedVersion = engine.PolicyVersion;

        Receive<TrainOnPrompt>(OnTrainOnPrompt);
        Receive<SaveCheckpointNow>(_ =>
        {
            var saved = new CheckpointSaved(_engine.PolicyVersion, SaveCheckpoint());
            if (saved.Folder is not null) _coordinator.Tell(saved);
            Sender.Tell(saved);
            Become(Stopping);
        });
    }

    /// <summary>
    /// After the shutdown checkpoint no further step is trained: a node that is leaving the cluster keeps running for
    /// seconds, and steps trained then were journaled past the checkpoint the run said it stopped at (a resume rolled
    /// them back, so they were wasted work and a wrong "stopped at step N"). The prompts that arrive now are already
    /// journaled as scored groups; the run that resumes routes them again.
    /// </summary>
    private void Stopping()
    {
        Receive<TrainOnPrompt>(item => _log.Debug("stopping: prompt {0} is left for the resumed run", item.Seq));
        Receive<SaveCheckpointNow>(_ => Sender.Tell(new CheckpointSaved(_engine.PolicyVersion, null)));
    }

    public static Props Props(ILearnerEngine engine, IActorRef coordinator, PipelineSettings settings, ISet<long> trainedSeqs,
        CheckpointSchedule? checkpoints = null) =>
        Akka.Actor.Props.Create(() => new LearnerActor(engine, coordinator, settings, trainedSeqs, checkpoints));

    protected override void PreRestart(Exception reason, object message)
    {
        // Prompts waiting for this step would be lost with the actor's state: hand them back to be issued again.
        foreach (var pending in _batch.ReturnPending())
            _coordinator.Tell(new PromptTooStale(pending.Work, pending.Attempt, -1, _engine.PolicyVersion));
        base.PreRestart(reason, message);
    }

    private void OnTrainOnPrompt(TrainOnPrompt item)
    {
        var staleness = item.Versions.StalenessAt(_engine.PolicyVersion);
        if (staleness > _settings.EffectiveMaxStaleness && _settings.StaleSamples == StaleSampleHandling.Requeue)
        {
            _log.Info("learner: prompt {0} sampled with v{1} is {2} versions old (max {3}); issuing it again",
                item.Seq, item.Versions.Oldest, staleness, _settings.EffectiveMaxStaleness);
            _coordinator.Tell(new PromptTooStale(item.Work, item.Attempt, item.Versions.Oldest, _engine.PolicyVersion));
            return;
        }

        switch (_batch.Add(item, staleness))
        {
            case StepBatch.AddOutcome.Duplicate:
                _log.Warning("learner: prompt {0} (attempt {1}) already trained or pending; dropped", item.Seq, item.Attempt);
                _coordinator.Tell(new DuplicateDropped(item.Seq, item.Attempt));
                return;
            case StepBatch.AddOutcome.Full:
                TrainStep();
                return;
        }
    }

    private void TrainStep()
    {
        var idleSeconds = _sinceLastStep.Elapsed.TotalSeconds;
        var prompts = _batch.Drain();
        var clock = Stopwatch.StartNew();
        var result = _engine.Train(prompts.Select(p => p.ForTrainer()).ToArray());
        var trainSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var snapshot = _engine.Snapshot();
        var publishSeconds = clock.Elapsed.TotalSeconds;

        // The checkpoint goes to disk before the step is reported, so a journaled step always has its weights
        // (a crash in between leaves a checkpoint one step ahead of the journal, which a resume ignores).
        var checkpoint = _checkpoints is not null && _checkpoints.IsDue(_engine.PolicyVersion) ? SaveCheckpoint() : null;

        var metrics = StepMetricsBuilder.Build(_engine.PolicyVersion, prompts, _batch.LastStaleness, result,
            trainSeconds, idleSeconds, publishSeconds);
        Context.System.EventStream.Publish(new StepProvenance(_engine.PolicyVersion, prompts.Select(Provenance).ToArray()));
        // Policy first: the coordinator forwards it to workers before it issues the work that needs it.
        _coordinator.Tell(new PolicyPublished(snapshot));
        // Prompts fill a step in the gate's order, so the step's latest decision carries the gate state to resume from.
        var gateState = prompts.MaxBy(p => p.GateOrdinal)?.GateState;
        _coordinator.Tell(new StepCompleted(_engine.PolicyVersion, prompts.Select(p => p.Seq).ToArray(), metrics)
        {
            GateState = gateState,
        });
        // After the step: the coordinator keeps the state of a checkpointed step as a rollback target.
        if (checkpoint is not null) _coordinator.Tell(new CheckpointSaved(_engine.PolicyVersion, checkpoint));
        _sinceLastStep.Restart();
    }

    /// <summary>Writes a checkpoint of the current policy unless it already has one; returns its folder.</summary>
    private string? SaveCheckpoint()
    {
        if (_checkpoints is null) return null;
        var version = _engine.PolicyVersion;
        if (version == _checkpointedVersion && version > 0) return null;
        var manifest = _checkpoints.Store.Save(version, version, _checkpoints.ConfigHash,
            folder => _engine.SaveCheckpoint(folder, _checkpoints.Settings.Optimizer));
        _checkpoints.Saved();
        _checkpointedVersion = version;
        _log.Info("learner: checkpoint of step {0} saved ({1} files)", manifest.Step, manifest.Files.Count);
        return Path.Combine(_checkpoints.Store.Directory, $"step-{version:D8}");
    }

    private static PromptProvenance Provenance(TrainOnPrompt p) =>
        new(p.Seq, p.Attempt, p.Work.Epoch, p.Group.Problem.Id, p.Route, p.Accuracy, p.Gamma, p.Rewards,
            p.Versions.Oldest, p.Versions.Newest, p.Rows.Count);
}
