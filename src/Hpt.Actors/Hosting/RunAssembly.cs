using Hpt.Actors.Checkpoints;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Settings;
using Hpt.Core.Gating;
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
    public static void EnsureBaseModel(PolicyFactory policy, TrainingTask task, TaskSettings taskSettings, PipelineSettings pipeline,
        LearnerSettings learner, RunSettings run, CheckpointStore store, string configHash, IRunObserver observer)
    {
        if (store.LoadLatest(0) is not null) return;
        using var model = policy.NewModel(learner.Device, run.Seed);
        observer.Message(policy.ModelPath is { } path
            ? $"base model: {path} ({model.ParameterCount() / 1e6:0.00}M parameters), " + (taskSettings.WarmupSteps == 0
                ? "as given: no supervised warm-up (hpt.task.warmup-steps asks for one)"
                : $"then {taskSettings.WarmupSteps} supervised warm-up steps (hpt.task.warmup-steps)")
            : $"base model: {model.ParameterCount() / 1e6:0.00}M parameters, {taskSettings.WarmupSteps} supervised warm-up steps");
        SupervisedWarmup.Run(model, policy.Codec, task.Train, taskSettings.WarmupSteps, pipeline.PromptsPerStep,
            learner.Trainer with { LearningRate = taskSettings.WarmupLearningRate }, run.Seed, observer.Message);
        store.Save(0, 0, configHash, folder => PolicyWeights.Save(model, Path.Combine(folder, "model.safetensors")));
    }

    /// <summary>What a rollout of this policy can hold: ids of the model's vocabulary, a prompt within its context.</summary>
    public static IntakeLimits Intake(PolicyFactory policy, RolloutSettings rollout) =>
        new(policy.Config.VocabSize, policy.Config.MaxPositionEmbeddings, rollout.MaxNewTokens) { EncodePrompt = policy.Codec.EncodePrompt };

    /// <summary>Start-up lines about the data (warnings included) and the summary for the report.</summary>
    public static void ReportData(TrainingTask task, TaskSettings settings, IRunObserver observer)
    {
        foreach (var line in task.Summary.Lines(new DataFileLimits(settings.Data.MaxPromptTokens, settings.Data.MaxDemonstrationTokens)))
            observer.Message(line);
        observer.DataLoaded(task.Summary);
    }

    /// <summary>
    /// The pipeline's parts around a learner engine: the data, the reward, the gate, the checkpoint schedule, and the
    /// resume rule (load the newest intact checkpoint at or before the journal's last step).
    /// </summary>
    public static PipelineParts Parts(RunSettings run, PipelineSettings pipeline, TrainingTask task, ILearnerEngine learner,
        IGatePolicy gate, IReadOnlyList<Func<IRolloutEngine>> rolloutEngines, CheckpointStore store, CheckpointSettings checkpoints,
        string configHash, IRunObserver observer, int snapshotEverySteps) =>
        new(run.Id, run.Seed, pipeline,
            task.Train.Select(p => new PromptSpec(p.Id, p.Prompt, p.Answer, p.Demonstration)).ToArray(),
            rolloutEngines, learner, new TaskRewardScorer(task.Reward), gate,
            Checkpoints: new CheckpointSchedule(store, checkpoints, pipeline.TotalSteps, configHash),
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
            Snapshots: new SnapshotPolicy(snapshotEverySteps, checkpoints.Keep));
}
