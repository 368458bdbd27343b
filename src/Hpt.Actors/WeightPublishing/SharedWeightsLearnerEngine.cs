using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using Hpt.Actors.Protocol;
using Hpt.Model.Weights;

namespace Hpt.Actors.WeightPublishing;

/// <summary>
/// A learner engine whose snapshots are weight files: <see cref="Snapshot"/> writes the current policy into the
/// shared weights directory (once per version) and returns a <see cref="WeightFile"/> that can cross nodes.
/// Everything else is the wrapped engine's. The learner actor calls <see cref="Snapshot"/> right after a step, on its
/// own thread, so the weights cannot change while they are written.
/// </summary>
public sealed class SharedWeightsLearnerEngine(ILearnerEngine inner, SharedWeightStore store, Action<string> writeWeights) : ILearnerEngine
{
    private PolicySnapshot? _last;

    public ILearnerEngine Inner => inner;

    /// <summary>For the Torch learner: safetensors of its model.</summary>
    public static SharedWeightsLearnerEngine ForTorch(TorchLearnerEngine engine, SharedWeightStore store) =>
        new(engine, store, path => PolicyWeights.Save(engine.Model, path));

    public long PolicyVersion => inner.PolicyVersion;

    public LearnerStepResult Train(IReadOnlyList<StepPrompt> batch) => inner.Train(batch);

    public PolicySnapshot Snapshot()
    {
        var version = inner.PolicyVersion;
        if (_last is { } last && last.Version == version) return last;
        var file = store.Publish(version, writeWeights);
        return _last = new PolicySnapshot(version, file);
    }

    public void SaveCheckpoint(string folder, bool withOptimizer) => inner.SaveCheckpoint(folder, withOptimizer);

    public void LoadCheckpoint(string folder, long version)
    {
        inner.LoadCheckpoint(folder, version);
        _last = null; // same version number, possibly different weights: publish again
    }

    public void Dispose() => inner.Dispose();
}
