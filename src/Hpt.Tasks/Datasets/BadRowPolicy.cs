namespace Hpt.Tasks.Datasets;

/// <summary>What a loader does with a row it cannot read or map.</summary>
public enum BadRowPolicy
{
    /// <summary>Throw a <see cref="DatasetException"/> naming the file and line (or row).</summary>
    Fail,

    /// <summary>Skip the row and count it in <see cref="DatasetLoadResult.Skipped"/>.</summary>
    Skip,
}
