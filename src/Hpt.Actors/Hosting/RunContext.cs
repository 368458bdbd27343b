using Hpt.Actors.Checkpoints;

namespace Hpt.Actors.Hosting;

/// <summary>What a run is made of once it is checked and its directory claimed: passed whole instead of one argument per part.</summary>
public sealed record RunContext(
    RunConfiguration Settings,
    RunDirectory Dir,
    TrainingTask Task,
    PolicyFactory Policy,
    CheckpointStore Store,
    IRunObserver Observer);
