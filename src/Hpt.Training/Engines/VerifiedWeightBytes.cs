using Hpt.Model;
using Hpt.Model.Weights;

namespace Hpt.Training.Engines;

/// <summary>
/// Weights read from a weight file whose checksum matched: the bytes a rollout engine loads (safetensors for the
/// Torch engine). Verification happens before the engine sees them, so a model is never half-loaded from a torn or
/// truncated file.
/// </summary>
public sealed record VerifiedWeightBytes(byte[] Data, string Sha256) : IPolicyWeights
{
    public long Bytes => Data.LongLength;

    public long LoadInto(CausalLM model, long version)
    {
        PolicyWeights.FromBytes(model, Data);
        return version;
    }
}
