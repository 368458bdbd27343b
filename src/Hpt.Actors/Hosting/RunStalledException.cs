namespace Hpt.Actors.Hosting;

/// <summary>No training step completed for hpt.pipeline.stall-abort: the run stops (after a checkpoint) instead of waiting forever.</summary>
public sealed class RunStalledException(string reason) : Exception($"the run is stalled: {reason}");
