namespace Hpt.Training.Engines;

/// <summary>
/// Sample <paramref name="Samples"/> responses to one prompt. <paramref name="Seq"/> is the prompt's position in the
/// run's data order: the sampling seeds derive from it, so any worker draws the same group.
/// </summary>
public sealed record RolloutRequest(long Seq, string Prompt, int Samples);
