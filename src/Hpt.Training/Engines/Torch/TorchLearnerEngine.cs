using Hpt.Core.Configuration;
using Hpt.Model;
using Hpt.Model.Precision;
using Hpt.Model.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Training.Engines.Torch;

/// <summary>
/// The learner's policy, its AdamW and its checkpoints. A training step is the <see cref="Trainer"/>'s; this engine
/// holds what outlives a step (weights, optimizer state, the policy version) and publishes the weights.
/// </summary>
public sealed class TorchLearnerEngine : ILearnerEngine
{
    private const string WeightsFile = "model.safetensors";
    private const string OptimizerFile = "optimizer.pt";
    private const string MastersFile = "master-weights.safetensors";

    private readonly CausalLM _model;
    private readonly MixedPrecisionAdamW _optimizer;
    private readonly Trainer _trainer;
    private readonly ReaderWriterLockSlim _weightsLock = new(LockRecursionPolicy.NoRecursion);
    private readonly LivePolicyWeights _published;
    private readonly bool _ownsModel;

    /// <param name="ownsModel">Dispose the model with the engine (false when the caller keeps using it).</param>
    /// <param name="availableMemory">Bytes a micro-batch may use (null: the machine's available memory; for tests).</param>
    public TorchLearnerEngine(CausalLM model, PromptCodec codec, Algorithm algorithm, TrainerOptions options, bool ownsModel = true,
        Func<long?>? availableMemory = null)
    {
        _ownsModel = ownsModel;
        _model = model;
        // bf16 compute, fp32 master weights and optimizer state (no copies for an fp32 model).
        _optimizer = new MixedPrecisionAdamW(model.Weights(), options.LearningRate, options.Beta1, options.Beta2, options.WeightDecay);
        _trainer = new Trainer(model, codec, algorithm, options, _optimizer, _weightsLock, availableMemory);
        _published = new LivePolicyWeights(model, _weightsLock, () => PolicyVersion);
    }

    public long PolicyVersion { get; private set; }

    public CausalLM Model => _model;

    public PolicySnapshot Snapshot() => new(PolicyVersion, _published);

    public LearnerStepResult Train(IReadOnlyList<StepPrompt> batch)
    {
        var result = _trainer.Step(batch);
        PolicyVersion++;
        return result;
    }

    public void SaveCheckpoint(string folder, bool withOptimizer)
    {
        PolicyWeights.Save(_model, Path.Combine(folder, WeightsFile));
        if (withOptimizer) _optimizer.Save(Path.Combine(folder, OptimizerFile), Path.Combine(folder, MastersFile));
    }

    public void LoadCheckpoint(string folder, long version)
    {
        PolicyWeights.Load(_model, Path.Combine(folder, WeightsFile));
        _optimizer.Load(Path.Combine(folder, OptimizerFile), Path.Combine(folder, MastersFile));
        PolicyVersion = version;
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        if (_ownsModel) _model.Dispose();
        _weightsLock.Dispose();
    }
}
