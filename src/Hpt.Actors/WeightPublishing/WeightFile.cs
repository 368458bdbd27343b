using Hpt.Training.Engines;

namespace Hpt.Actors.WeightPublishing;

/// <summary>
/// A published policy version as a file in the shared weights directory: its name (no directories), SHA-256 (hex)
/// and size. This reference is what travels between nodes; the weights themselves never do.
/// </summary>
public sealed record WeightFile(long Version, string FileName, string Sha256, long Bytes) : IPolicyWeights
{
    /// <summary>
    /// A reference loads nothing by itself: the engine that owns the weights directory reads and verifies the file
    /// first (<see cref="SharedWeightsRolloutEngine"/>), and loads the verified bytes.
    /// </summary>
    public long LoadInto(Hpt.Model.CausalLM model, long version) =>
        throw new InvalidOperationException(
            $"weight file {FileName} (v{Version}) is a reference into the shared weights directory: it must be read and verified before it is loaded");

    /// <summary>A name from the network must stay inside the weights directory.</summary>
    public static void CheckName(string fileName)
    {
        if (string.IsNullOrEmpty(fileName) || fileName != Path.GetFileName(fileName) || fileName.StartsWith('.')
            || fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new System.Runtime.Serialization.SerializationException($"weight file name '{fileName}' is not a plain file name");
    }
}

