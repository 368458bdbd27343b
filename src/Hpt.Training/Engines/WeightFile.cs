namespace Hpt.Training.Engines;

/// <summary>
/// A published policy version as a file in the shared weights directory: its name (no directories), SHA-256 (hex)
/// and size. This reference is what travels between nodes; the weights themselves never do. Published and read by
/// Hpt.Actors.WeightPublishing (the store, the learner engine that writes files, the rollout engines that read them).
/// </summary>
public sealed record WeightFile(long Version, string FileName, string Sha256, long Bytes) : IPolicyWeights
{
    /// <summary>
    /// A reference loads nothing by itself: it is read and verified first (<see cref="PrepareAsync"/>), and the
    /// verified bytes are loaded.
    /// </summary>
    public long LoadInto(Hpt.Model.CausalLM model, long version) =>
        throw new InvalidOperationException(
            $"weight file {FileName} (v{Version}) is a reference into the shared weights directory: it must be read and verified before it is loaded");

    /// <summary>Reads and verifies the file on a pool thread, through the node's weights directory; the result loads without touching the disk.</summary>
    public Task<PolicySnapshot> PrepareAsync(long version, IWeightFileReader? files) =>
        files is null
            ? Task.FromException<PolicySnapshot>(new InvalidOperationException(
                $"weight file {FileName} (v{Version}) reached a rollout engine without a shared weights directory (hpt.cluster.weights-dir)"))
            : Task.Run(() => files.ReadVerified(this));

    /// <summary>The reference itself is what crosses nodes (explicit: a public property would print itself forever in ToString).</summary>
    WeightFile? IPolicyWeights.File => this;

    /// <summary>A name from the network must stay inside the weights directory.</summary>
    public static void CheckName(string fileName)
    {
        if (string.IsNullOrEmpty(fileName) || fileName != Path.GetFileName(fileName) || fileName.StartsWith('.')
            || fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new System.Runtime.Serialization.SerializationException($"weight file name '{fileName}' is not a plain file name");
    }
}
