namespace Hpt.Actors.Checkpoints;

/// <summary>manifest.json of a checkpoint folder: what it holds and the SHA-256 of every file, written last.</summary>
public sealed record CheckpointManifest(
    int Format,
    long Step,
    long PolicyVersion,
    string ConfigHash,
    DateTime CreatedUtc,
    IReadOnlyDictionary<string, CheckpointFile> Files)
{
    /// <summary>The run that wrote it (hpt.run.id); null in checkpoints of older builds.</summary>
    public string? RunId { get; init; }
}

public sealed record CheckpointFile(long Bytes, string Sha256);
