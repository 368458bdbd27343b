namespace Hpt.Tasks.Datasets;

/// <summary>Loaded problems, plus the rows skipped under <see cref="BadRowPolicy.Skip"/> and why.</summary>
public sealed record DatasetLoadResult(IReadOnlyList<Problem> Problems, int Skipped, IReadOnlyList<string> SkipReasons);
