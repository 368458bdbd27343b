using Hpt.Model.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hpt.Model.Precision;

/// <summary>
/// AdamW with fp32 master weights for a model that computes in bf16 (or fp16), as GPU trainers do: the model's own
/// parameters stay in its dtype (forward, backward, publishing, checkpoint weights), while gradients accumulate, the
/// optimizer state lives and the update happens on an fp32 copy, which is then rounded into the model once per step.
/// Without it a bf16 norm weight of 1.0 never moves: its spacing is 2^-8 and AdamW steps are about the learning rate.
/// For an fp32 model there are no copies: the masters are the model's parameters and this is plain AdamW.
/// Use per optimizer step: backward, <see cref="AccumulateGradients"/> (after each micro-batch), clip
/// <see cref="Parameters"/>, <see cref="Step"/>, <see cref="ZeroGrad"/>.
/// </summary>
public sealed class MixedPrecisionAdamW : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Param)> _model;
    private readonly Parameter[] _masters;
    private readonly AdamW _optimizer;

    public MixedPrecisionAdamW(IReadOnlyList<(string Name, Parameter Param)> modelParameters, double learningRate, double beta1,
        double beta2, double weightDecay)
    {
        _model = modelParameters;
        HasMasters = modelParameters.Any(p => p.Param.dtype != ScalarType.Float32);
        using (no_grad())
        {
            _masters = HasMasters
                ? modelParameters.Select(p => new Parameter(p.Param.detach().to(ScalarType.Float32).clone(), p.Param.requires_grad)).ToArray()
                : modelParameters.Select(p => p.Param).ToArray();
        }
        _optimizer = optim.AdamW(_masters, learningRate, beta1, beta2, weight_decay: weightDecay);
    }

    /// <summary>True when the model is not fp32, so the update runs on separate fp32 copies.</summary>
    public bool HasMasters { get; }

    /// <summary>The fp32 parameters the optimizer updates (the model's own for an fp32 model); clip these.</summary>
    public IReadOnlyList<Parameter> Parameters => _masters;

    /// <summary>
    /// Adds the model's gradients into the fp32 master gradients and clears the model's, so micro-batches accumulate in
    /// fp32 rather than in the model's dtype. A no-op for an fp32 model (its gradients already are the masters').
    /// </summary>
    public void AccumulateGradients()
    {
        if (!HasMasters) return;
        using var _ = no_grad();
        for (var i = 0; i < _masters.Length; i++)
        {
            var model = _model[i].Param;
            if (model.grad is not { } g) continue;
            if (_masters[i].grad is { } acc) acc.add_(g);
            else _masters[i].grad = g.to(ScalarType.Float32);
            g.zero_();
        }
    }

    /// <summary>One AdamW step on the masters, then the masters rounded into the model's parameters.</summary>
    public void Step()
    {
        _optimizer.step();
        if (HasMasters) CopyMastersIntoModel();
    }

    public void ZeroGrad()
    {
        _optimizer.zero_grad();
        if (HasMasters) foreach (var (_, p) in _model) p.grad?.zero_();
    }

    /// <summary>Resets the masters to the model's current weights (after loading weights into the model).</summary>
    public void SyncFromModel()
    {
        if (!HasMasters) return;
        using var _ = no_grad();
        for (var i = 0; i < _masters.Length; i++) _masters[i].copy_(_model[i].Param);
    }

    /// <summary>
    /// Writes the AdamW state (fp32) to <paramref name="optimizerPath"/> and, when the model is not fp32, the master
    /// weights (fp32 safetensors) to <paramref name="mastersPath"/>: the model-dtype weights alone would lose the
    /// sub-bf16 part of every update on resume.
    /// </summary>
    public void Save(string optimizerPath, string mastersPath)
    {
        _optimizer.save_state_dict(optimizerPath);
        if (HasMasters) SafetensorsFile.Write(mastersPath, _model.Select((p, i) => (p.Name, (Tensor)_masters[i])));
    }

    /// <summary>
    /// Restores what <see cref="Save"/> wrote. Masters come from <paramref name="mastersPath"/> when it exists, else
    /// from the model's weights (load those first). A missing optimizer file leaves a fresh AdamW state.
    /// </summary>
    public void Load(string optimizerPath, string mastersPath)
    {
        SyncFromModel();
        if (HasMasters && File.Exists(mastersPath))
        {
            using var file = SafetensorsFile.Open(mastersPath);
            using var _ = no_grad();
            for (var i = 0; i < _masters.Length; i++) file.ReadInto(_model[i].Name, _masters[i]);
        }
        if (File.Exists(optimizerPath)) _optimizer.load_state_dict(optimizerPath);
    }

    private void CopyMastersIntoModel()
    {
        using var _ = no_grad();
        for (var i = 0; i < _masters.Length; i++) _model[i].Param.copy_(_masters[i]);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        if (HasMasters) foreach (var m in _masters) m.Dispose();
    }
}
