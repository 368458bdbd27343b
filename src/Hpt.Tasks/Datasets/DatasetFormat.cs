namespace Hpt.Tasks.Datasets;

/// <summary>File format of a dataset; <see cref="Auto"/> picks by extension (.json, .jsonl, .parquet).</summary>
public enum DatasetFormat
{
    Auto,
    Json,
    Jsonl,
    Parquet,
}
