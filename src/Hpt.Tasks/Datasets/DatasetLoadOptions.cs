namespace Hpt.Tasks.Datasets;

/// <summary>How to load a dataset file.</summary>
public sealed record DatasetLoadOptions(FieldMapping Mapping)
{
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;
    public BadRowPolicy BadRows { get; init; } = BadRowPolicy.Fail;

    /// <summary>Stop after this many problems (null: all).</summary>
    public int? Limit { get; init; }
}
