using Hpt.Model;
using Hpt.Model.Weights;

namespace Hpt.Training.Engines.Torch;

/// <summary>
/// In-process publishing without an intermediate copy: rollout engines copy straight from the learner's model,
/// once per version, under a read lock that the learner's optimizer step takes for writing. A reader therefore
/// never sees a half-updated policy, and it learns the exact version it copied.
/// </summary>
public sealed class LivePolicyWeights(CausalLM learnerModel, ReaderWriterLockSlim gate, Func<long> version) : IPolicyWeights
{
    public long Bytes { get; } = learnerModel.parameters().Sum(p => p.numel() * p.ElementSize);

    /// <summary>Copies the current weights into <paramref name="target"/>; returns the version copied (the learner may have stepped past <paramref name="publishedAs"/>).</summary>
    public long LoadInto(CausalLM target, long publishedAs)
    {
        gate.EnterReadLock();
        try
        {
            PolicyWeights.CopyInto(learnerModel, target);
            return version();
        }
        finally
        {
            gate.ExitReadLock();
        }
    }
}
