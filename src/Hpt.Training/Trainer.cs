using Hpt.Core.Configuration;
using Hpt.Core.Training;
using Hpt.Core.Upge;
using Hpt.Model;
using Hpt.Model.Scoring;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using static TorchSharp.torch;

namespace Hpt.Training;

/// <summary>
/// One training step as the algorithms' authors define it: the gate's rows, the step-level stages the algorithm
/// declares, then its mini-batches (one optimizer step each), each cut into micro-batches by token budget whose
/// gradients accumulate, the UPGE loss, the gradient guard and the optimizer. Every micro-batch is normalised by its
/// mini-batch's counts, so the update does not depend on how the rows were packed.
/// </summary>
public sealed class Trainer
{
    private readonly CausalLM _model;
    private readonly Scorer _scorer;
    private readonly PromptCodec _codec;
    private readonly Algorithm _algorithm;
    private readonly TrainerOptions _options;
    private readonly TorchSharp.Modules.AdamW _optimizer;
    private readonly ReaderWriterLockSlim _weightsLock;

    /// <param name="weightsLock">Taken for writing around each optimizer step, so readers of the weights (publishing)
    /// never see a half-updated policy.</param>
    public Trainer(CausalLM model, PromptCodec codec, Algorithm algorithm, TrainerOptions options,
        TorchSharp.Modules.AdamW optimizer, ReaderWriterLockSlim weightsLock)
    {
        _model = model;
        _scorer = new Scorer(model);
        _codec = codec;
        _algorithm = algorithm;
        _options = options;
        _optimizer = optimizer;
        _weightsLock = weightsLock;
    }

    public LearnerStepResult Step(IReadOnlyList<StepPrompt> batch)
    {
        var rows = LearnerRow.From(batch, _codec);
        var step = new StepAccumulator();
        var skipped = false;
        double gradNorm = 0;
        _model.train();
        foreach (var mini in LearnerRow.Split(rows, _options.MiniBatches))
        {
            if (mini.Count == 0) continue;
            var normalizer = Counts(mini);
            foreach (var micro in LearnerRow.Pack(mini, _options.MicroBatchTokens))
                step.Add(Backward(micro, normalizer));

            var check = _algorithm.GradientGuard.ClipAndJudge(_model.parameters());
            gradNorm = Math.Max(gradNorm, check.Norm);
            if (check.Verdict == GradientVerdict.Step)
            {
                _weightsLock.EnterWriteLock();
                try { _optimizer.step(); }
                finally { _weightsLock.ExitWriteLock(); }
            }
            else
            {
                skipped = true;
            }
            _optimizer.zero_grad();
        }
        return step.Result(gradNorm, skipped, rows);
    }

    /// <summary>Scores one micro-batch with gradients, computes the UPGE loss and back-propagates it.</summary>
    private LossMetrics Backward(IReadOnlyList<LearnerRow> micro, LossNormalizer normalizer)
    {
        using var scope = NewDisposeScope();
        var score = _scorer.Score(micro.Select(r => (IReadOnlyList<int>)r.Prompt).ToArray(),
            micro.Select(r => (IReadOnlyList<int>)r.Response).ToArray(), withGrad: true, withEntropy: true);
        var b = micro.Count;
        var t = (int)score.LogProbs.shape[1];
        var device = score.LogProbs.device;

        // pi_old: with one optimizer step per training step the policy has not moved yet, so pi_old = pi_theta.
        var old = score.LogProbs.detach();
        var behaviourHost = new float[b * t];
        for (var r = 0; r < b; r++)
            if (micro[r].BehaviourLogProbs is { } lp) Array.Copy(lp, 0, behaviourHost, r * t, Math.Min(lp.Length, t));
        var isExpert = tensor(micro.Select(r => r.IsExpert).ToArray(), device: device);
        var behaviour = where(isExpert.unsqueeze(1), old, tensor(behaviourHost, [b, t], device: device));

        var upge = new UpgeBatch(
            score.LogProbs,
            old,
            behaviour,
            score.Mask,
            tensor(micro.Select(r => (float)r.Advantage).ToArray(), device: device),
            isExpert,
            tensor(micro.Select(r => (float)r.RlWeight).ToArray(), device: device),
            tensor(micro.Select(r => (float)r.SftWeight).ToArray(), device: device))
        {
            Entropy = score.Entropies,
            Normalizer = normalizer,
        };
        using var result = _algorithm.Loss.Compute(upge);
        result.Loss.backward();
        return result.Metrics;
    }

    private static LossNormalizer Counts(IReadOnlyList<LearnerRow> rows)
    {
        double rlTokens = 0, rlRows = 0, sftTokens = 0, sftRows = 0, all = 0;
        foreach (var r in rows)
        {
            var n = r.Response.Length;
            all += n;
            if (r.RlWeight != 0 && n > 0) { rlTokens += n; rlRows++; }
            if (r.SftWeight != 0 && n > 0) { sftTokens += n; sftRows++; }
        }
        return new LossNormalizer(rlTokens, rlRows, sftTokens, sftRows, all);
    }

    /// <summary>Token-weighted means of the micro-batch metrics of one step.</summary>
    private sealed class StepAccumulator
    {
        private double _loss, _entropy, _clip, _mismatch, _allTokens, _onTokens;

        public void Add(LossMetrics m)
        {
            _loss += m.Loss;
            _entropy += m.EntropyMean * m.AllTokens;
            _allTokens += m.AllTokens;
            _clip += m.ClipFraction * m.OnPolicyTokens;
            _mismatch += m.MismatchKl * m.OnPolicyTokens;
            _onTokens += m.OnPolicyTokens;
        }

        public LearnerStepResult Result(double gradNorm, bool skipped, IReadOnlyList<LearnerRow> rows) => new(
            Loss: _loss,
            Entropy: _allTokens > 0 ? _entropy / _allTokens : 0,
            ClipFraction: _onTokens > 0 ? _clip / _onTokens : 0,
            MismatchKl: _onTokens > 0 ? _mismatch / _onTokens : 0,
            GradNorm: gradNorm,
            UpdateSkipped: skipped,
            Rows: rows.Count,
            Tokens: rows.Sum(r => r.Tokens));
    }
}
