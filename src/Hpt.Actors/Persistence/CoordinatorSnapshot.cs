namespace Hpt.Actors.Persistence;

/// <summary>The stored form of <see cref="Coordinator.CoordinatorState"/>: flat arrays, so the format is explicit.</summary>
public sealed record CoordinatorSnapshot(
    long Step,
    long PolicyVersion,
    long NextSeq,
    long Accepted,
    long[] InFlightSeqs,
    int[] InFlightAttempts,
    long[] ReturnedSeqs,
    int[] ReturnedAttempts,
    long[] Trained,
    int ReturnedTotal);
