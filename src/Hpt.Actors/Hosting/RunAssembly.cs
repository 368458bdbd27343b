using Hpt.Actors.Checkpoints;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Settings;
using Hpt.Model.Weights;
using Hpt.Training;
using Hpt.Training.Engines;

namespace Hpt.Actors.Hosting;

/// <summary>The pieces every kind of run (one process or a cluster's learner node) builds the same way.</summary>
public static class RunAssembly
{
    /// <summary>
    /// Makes the run's starting point unless it exists: the supervised warm-up (at its own learning rate) saved as
    /// checkpoint step 0.
    /// </summary>
    public static void EnsureBaseModel(RunContext context)
    {
        var (policy, task, store, observer) = (context.Policy, context.Task, context.Store, context.Observer);
        var (taskSettings, pipeline, learner, run) = (context.Settings.Task, context.Settings.Pipeline, context.Settings.Learner, context.Settings.Run);
        if (store.LoadLatest(0) is not null) return;
        using var model = policy.NewModel(learner.Device, run.Seed);
        observer.Message(policy.ModelPath is { } path
            ? $"base model: {path} ({model.ParameterCount() / 1e6:0.00}M parameters), " + (taskSettings.WarmupSteps == 0
                ? "as given: no supervised warm-up (hpt.task.warmup-steps asks for one)"
                : $"then {taskSettings.WarmupSteps} supervised warm-up steps (hpt.task.warmup-steps)")
            : $"base model: {model.ParameterCount() / 1e6:0.00}M parameters, {taskSettings.WarmupSteps} supervised warm-up steps");
        SupervisedWarmup.Run(model, policy.Codec, task.Train, taskSettings.WarmupSteps, pipeline.PromptsPerStep,
            learner.Trainer with { LearningRate = taskSettings.WarmupLearningRate }, run.Seed, observer.Message);
        store.Save(0, 0, context.Settings.ConfigHash, folder => PolicyWeights.Save(model, Path.Combine(folder, "model.safetensors")));
    }

    /// <summary>The run's checkpoint folder (warnings go to the observer).</summary>
    public static CheckpointStore Checkpoints(RunConfiguration settings, RunDirectory dir, PolicyFactory policy, IRunObserver observer) =>
        new(dir.Checkpoints, settings.Checkpoints.Keep, w => observer.Message($"warning: {w}"), policy.WriteCheckpointCompanions, settings.Run.Id);

    /// <summary>Start-up lines about the data (warnings included) and the summary for the report.</summary>
    public static void ReportData(TrainingTask task, TaskSettings settings, IRunObserver observer)
    {
        foreach (var line in task.Summary.Lines(new DataFileLimits(settings.Data.MaxPromptTokens, settings.Data.MaxDemonstrationTokens)))
            observer.Message(line);
        observer.DataLoaded(task.Summary);
    }

    /// <summary>
    /// The pipeline's parts around a learner engine: the data, the reward, the gate, the checkpoint schedule, the
    /// resume rule (load the newest intact checkpoint at or before the journal's last step), and the limits a rollout
    /// of this policy must meet (ids of its vocabulary, a prompt within its context).
    /// </summary>
    public static PipelineParts Parts(RunContext context, ILearnerEngine learner, IReadOnlyList<Func<IRolloutEngine>> rolloutEngines)
    {
        var (settings, store, observer) = (context.Settings, context.Store, context.Observer);
        var (run, pipeline) = (settings.Run, settings.Pipeline);
        return new PipelineParts(run.Id, run.Seed, pipeline,
            context.Task.Train,
            rolloutEngines, learner, new TaskRewardScorer(context.Task.Reward), settings.Algorithm.Gate,
            Checkpoints: new CheckpointSchedule(store, settings.Checkpoints, pipeline.TotalSteps, settings.ConfigHash),
            Restore: journalStep =>
            {
                if (journalStep == 0 && !run.AllowEmptyJournal && store.LoadLatest() is { Manifest.Step: > 0 } later)
                    throw new IncurableException(
                        $"{store.Directory} has checkpoints up to step {later.Manifest.Step} but the journal of run '{run.Id}' has no steps " +
                        "(deleted, or hpt.persistence / hpt.run.id point elsewhere): restore the journal, or set " +
                        "hpt.run.allow-empty-journal = true to train again from step 0");
                var checkpoint = store.LoadLatest(journalStep)
                                 ?? throw new InvalidDataException($"no intact checkpoint at or before step {journalStep} in {store.Directory}");
                learner.LoadCheckpoint(checkpoint.Folder, checkpoint.Manifest.PolicyVersion);
                if (journalStep > 0) observer.Message($"journal at step {journalStep}; loaded the checkpoint of step {checkpoint.Manifest.Step}");
                return checkpoint.Manifest.Step;
            },
            Snapshots: new SnapshotPolicy(settings.Persistence.SnapshotEverySteps, settings.Checkpoints.Keep))
        {
            Intake = new IntakeLimits(context.Policy.Config.VocabSize, context.Policy.Config.MaxPositionEmbeddings, settings.Rollout.MaxNewTokens)
            {
                EncodePrompt = context.Policy.Codec.EncodePrompt,
            },
        };
    }
}
