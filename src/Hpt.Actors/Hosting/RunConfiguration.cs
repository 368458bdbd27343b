using Akka.Configuration;
using Hpt.Actors.Persistence;
using Hpt.Actors.Settings;
using Hpt.Core.Configuration;

namespace Hpt.Actors.Hosting;

/// <summary>
/// Every section a run reads, bound once (in this order, so the first bad key is the one reported) and shared by
/// `hpt train`, `hpt node` and the soak benchmark.
/// </summary>
public sealed record RunConfiguration(
    Config Root,
    RunSettings Run,
    PipelineSettings Pipeline,
    RolloutSettings Rollout,
    LearnerSettings Learner,
    CheckpointSettings Checkpoints,
    PersistenceSettings Persistence,
    ModelSettings Model,
    TaskSettings Task,
    Algorithm Algorithm)
{
    public static RunConfiguration From(Config config) => new(
        config,
        RunSettings.Create(config),
        PipelineSettings.Create(config),
        RolloutSettings.Create(config),
        LearnerSettings.Create(config),
        CheckpointSettings.Create(config),
        PersistenceSettings.Create(config),
        ModelSettings.Create(config),
        TaskSettings.Create(config),
        AlgorithmFactory.Create(AlgorithmSection.Create(config)));

    /// <summary>Torch threads of this process: hpt.run.torch-threads, or every core.</summary>
    public int Cores => Run.TorchThreads > 0 ? Run.TorchThreads : Environment.ProcessorCount;

    /// <summary>The hash of the configuration that checkpoints record (a resume with another one is refused).</summary>
    public string ConfigHash => RunDirectory.FingerprintHash(Root);
}
