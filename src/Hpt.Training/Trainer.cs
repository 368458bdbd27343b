using System.Diagnostics;
using Hpt.Core.Configuration;
using Hpt.Core.Training;
using Hpt.Core.Upge;
using Hpt.Model;
using Hpt.Model.Memory;
using Hpt.Model.Precision;
using Hpt.Model.Scoring;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using Hpt.Training.Stages;
using static TorchSharp.torch;

namespace Hpt.Training;

/// <summary>
/// One training step as the algorithms' authors define it:
/// <list type="number">
/// <item>the gate's rows, through the step-level stages the algorithm declares (<see cref="StepStages"/>);</item>
/// <item>pi_prox = pi_old, the policy at the start of the step: one no-grad scoring pass before the first optimizer
/// step (as verl's <c>compute_log_prob</c>), reused by every mini-batch, so the clip of mini-batch k sees how far the
/// k-1 earlier optimizer steps moved the policy;</item>
/// <item>its mini-batches (one optimizer step each), each cut into micro-batches by token budget whose gradients
/// accumulate; the UPGE loss (with the decoupled objective's behaviour weight min(pi_prox / pi_behaviour, cap) when
/// the algorithm has it); the gradient guard; the optimizer.</item>
/// </list>
/// Every micro-batch is normalised by its mini-batch's counts, so the update does not depend on how the rows were packed.
/// </summary>
public sealed class Trainer
{
    private const string MicroBatchTokensKey = "hpt.learner.micro-batch-tokens";
    private const string CheckpointingKey = "hpt.learner.activation-checkpointing";

    private readonly CausalLM _model;
    private readonly Scorer _scorer;
    private readonly PromptCodec _codec;
    private readonly Algorithm _algorithm;
    private readonly IReadOnlyList<IStepStage> _stages;
    private readonly TrainerOptions _options;
    private readonly MixedPrecisionAdamW _optimizer;
    private readonly ReaderWriterLockSlim _weightsLock;
    private readonly Func<long?> _availableMemory;

    /// <param name="optimizer">AdamW with fp32 master weights when the model is not fp32.</param>
    /// <param name="weightsLock">Taken for writing around each optimizer step, so readers of the weights (publishing)
    /// never see a half-updated policy.</param>
    /// <param name="availableMemory">Bytes a micro-batch may use (null: the machine's available memory; for tests).</param>
    public Trainer(CausalLM model, PromptCodec codec, Algorithm algorithm, TrainerOptions options,
        MixedPrecisionAdamW optimizer, ReaderWriterLockSlim weightsLock, Func<long?>? availableMemory = null)
    {
        _availableMemory = availableMemory ?? ProcessMemory.AvailableBytes;
        _model = model;
        _model.ActivationCheckpointing = options.ActivationCheckpointing;
        _scorer = new Scorer(model);
        _codec = codec;
        _algorithm = algorithm;
        _stages = StepStages.For(algorithm);
        _options = options;
        _optimizer = optimizer;
        _weightsLock = weightsLock;
    }

    /// <summary>The step-level stages this trainer runs, in order.</summary>
    public IReadOnlyList<IStepStage> Stages => _stages;

    public LearnerStepResult Step(IReadOnlyList<StepPrompt> batch)
    {
        foreach (var stage in _stages) batch = stage.Apply(batch);
        var rows = LearnerRow.From(batch, _codec);
        var split = LearnerRow.Split(rows, _options.MiniBatches).Where(m => m.Count > 0).ToList();
        // Refuse a step whose largest micro-batch cannot fit before any of it runs: an out-of-memory failure halfway
        // would leave the earlier mini-batches' updates applied.
        MicroBatchMemory.EnsureFits(_model, split.SelectMany(m => LearnerRow.Pack(m, _options.MicroBatchTokens)).Select(PaddedTokens),
            MicroBatchTokensKey, _options.MicroBatchTokens, CheckpointingKey, _availableMemory());
        _model.train();
        var clock = Stopwatch.StartNew();
        var minis = WithProximal(split);
        var proximalSeconds = clock.Elapsed.TotalSeconds;

        var step = new StepAccumulator();
        var results = new List<MiniBatchResult>(minis.Count);
        foreach (var mini in minis)
        {
            var normalizer = Counts(mini);
            var metrics = new StepAccumulator();
            var micros = LearnerRow.Pack(mini, _options.MicroBatchTokens).ToList();
            try
            {
                foreach (var micro in micros)
                {
                    metrics.Add(Backward(micro, normalizer));
                    _optimizer.AccumulateGradients(); // into the fp32 masters of a bf16 model
                }
            }
            catch (Exception e)
            {
                _optimizer.ZeroGrad(); // a retried step must not add these gradients twice
                if (!MicroBatchMemory.IsOutOfMemory(e)) throw;
                var tokens = micros.Max(PaddedTokens);
                throw new MicroBatchTooLargeException(MicroBatchTokensKey,
                    $"out of memory in a training micro-batch of {tokens} padded tokens: lower {MicroBatchTokensKey} (now {_options.MicroBatchTokens})" +
                    (_model.ActivationCheckpointing ? "" : $" or set {CheckpointingKey} = on") + $" ({e.Message.Split('\n')[0]})", e);
            }
            step.Add(metrics);

            var check = _algorithm.GradientGuard.ClipAndJudge(_optimizer.Parameters);
            var stepped = check.Verdict == GradientVerdict.Step;
            if (stepped)
            {
                _weightsLock.EnterWriteLock();
                try { _optimizer.Step(); }
                finally { _weightsLock.ExitWriteLock(); }
            }
            _optimizer.ZeroGrad();
            results.Add(metrics.MiniBatch(mini.Count, check.Norm, !stepped));
        }
        return step.Result(results, proximalSeconds, rows);
    }

    /// <summary>
    /// Gives every row after the first mini-batch its pi_prox log-probs, scored without gradients before any optimizer
    /// step. The first mini-batch needs no pass: it is trained on the same weights, so its detached log-probs are
    /// pi_prox exactly (and with one mini-batch the step costs no extra pass).
    /// </summary>
    private IReadOnlyList<IReadOnlyList<LearnerRow>> WithProximal(IReadOnlyList<IReadOnlyList<LearnerRow>> minis)
    {
        if (minis.Count <= 1) return minis;
        var result = new List<IReadOnlyList<LearnerRow>>(minis.Count) { minis[0] };
        foreach (var mini in minis.Skip(1))
        {
            var scored = new List<LearnerRow>(mini.Count);
            foreach (var micro in LearnerRow.Pack(mini, _options.MicroBatchTokens))
                scored.AddRange(ScoreProximal(micro));
            result.Add(scored);
        }
        return result;
    }

    private IEnumerable<LearnerRow> ScoreProximal(IReadOnlyList<LearnerRow> micro)
    {
        using var scope = NewDisposeScope();
        var score = _scorer.Score(micro.Select(r => (IReadOnlyList<int>)r.Prompt).ToArray(),
            micro.Select(r => (IReadOnlyList<int>)r.Response).ToArray(), withGrad: false, withEntropy: false);
        var t = (int)score.LogProbs.shape[1];
        var host = score.LogProbs.to_type(ScalarType.Float32).cpu().data<float>().ToArray();
        return micro.Select((row, r) => row with { ProximalLogProbs = host.AsSpan(r * t, row.Response.Length).ToArray() }).ToArray();
    }

    /// <summary>Scores one micro-batch with gradients, computes the UPGE loss and back-propagates it.</summary>
    private LossMetrics Backward(IReadOnlyList<LearnerRow> micro, LossNormalizer normalizer)
    {
        using var scope = NewDisposeScope();
        var score = _scorer.Score(micro.Select(r => (IReadOnlyList<int>)r.Prompt).ToArray(),
            micro.Select(r => (IReadOnlyList<int>)r.Response).ToArray(), withGrad: true, withEntropy: true);
        var t = (int)score.LogProbs.shape[1];
        var device = score.LogProbs.device;

        // pi_prox: the step's scoring pass where the policy has moved since, the row's own detached log-probs otherwise.
        var current = score.LogProbs.detach();
        var old = current;
        if (micro.Any(r => r.ProximalLogProbs is not null))
        {
            var stored = tensor(micro.Select(r => r.ProximalLogProbs is not null).ToArray(), device: device).unsqueeze(1);
            old = where(stored, PerRowLogProbs(micro, r => r.ProximalLogProbs, t, current), current);
        }
        var isExpert = tensor(micro.Select(r => r.IsExpert).ToArray(), device: device);
        var behaviour = where(isExpert.unsqueeze(1), old, PerRowLogProbs(micro, r => r.BehaviourLogProbs, t, current));

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
        AutogradHandoff.Release(); // the custom backwards' last gradient handles
        return result.Metrics;
    }

    /// <summary>
    /// Per-row host log-probs as a (rows, <paramref name="t"/>) tensor like <paramref name="like"/> (device, dtype),
    /// zero where a row has none or is shorter; the caller's masks select what counts.
    /// </summary>
    private static Tensor PerRowLogProbs(IReadOnlyList<LearnerRow> micro, Func<LearnerRow, float[]?> select, int t, Tensor like)
    {
        var host = new float[micro.Count * t];
        for (var r = 0; r < micro.Count; r++)
            if (select(micro[r]) is { } lp) Array.Copy(lp, 0, host, r * t, Math.Min(lp.Length, t));
        return tensor(host, [micro.Count, t], device: like.device).to_type(like.dtype);
    }

    /// <summary>The scorer's tensor size for a micro-batch: rows x the longest prompt + response.</summary>
    private static long PaddedTokens(IReadOnlyList<LearnerRow> micro) => (long)micro.Count * micro.Max(r => r.Tokens);

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

    /// <summary>Token-weighted means of micro-batch metrics (of one mini-batch, or of a whole step).</summary>
    private sealed class StepAccumulator
    {
        private double _loss, _entropy, _clip, _mismatch, _ratio, _truncated, _allTokens, _onTokens;
        private double _ratioMin = double.PositiveInfinity, _ratioMax = double.NegativeInfinity;

        public void Add(LossMetrics m)
        {
            _loss += m.Loss;
            _entropy += m.EntropyMean * m.AllTokens;
            _allTokens += m.AllTokens;
            _clip += m.ClipFraction * m.OnPolicyTokens;
            _mismatch += m.MismatchKl * m.OnPolicyTokens;
            _ratio += m.RatioMean * m.OnPolicyTokens;
            _truncated += m.TisTruncatedFraction * m.OnPolicyTokens;
            _onTokens += m.OnPolicyTokens;
            if (m.OnPolicyTokens > 0)
            {
                _ratioMin = Math.Min(_ratioMin, m.RatioMin);
                _ratioMax = Math.Max(_ratioMax, m.RatioMax);
            }
        }

        public void Add(StepAccumulator other)
        {
            _loss += other._loss;
            _entropy += other._entropy;
            _allTokens += other._allTokens;
            _clip += other._clip;
            _mismatch += other._mismatch;
            _ratio += other._ratio;
            _truncated += other._truncated;
            _onTokens += other._onTokens;
            _ratioMin = Math.Min(_ratioMin, other._ratioMin);
            _ratioMax = Math.Max(_ratioMax, other._ratioMax);
        }

        private double OnMean(double sum) => _onTokens > 0 ? sum / _onTokens : 0;

        public MiniBatchResult MiniBatch(int rows, double gradNorm, bool skipped) => new(
            Rows: rows,
            ClipFraction: OnMean(_clip),
            RatioMean: _onTokens > 0 ? _ratio / _onTokens : 1,
            RatioMin: _onTokens > 0 ? _ratioMin : 1,
            RatioMax: _onTokens > 0 ? _ratioMax : 1,
            GradNorm: gradNorm,
            UpdateSkipped: skipped);

        public LearnerStepResult Result(IReadOnlyList<MiniBatchResult> minis, double proximalSeconds, IReadOnlyList<LearnerRow> rows) =>
            new(
                Loss: _loss,
                Entropy: _allTokens > 0 ? _entropy / _allTokens : 0,
                ClipFraction: OnMean(_clip),
                MismatchKl: OnMean(_mismatch),
                GradNorm: minis.Aggregate(0.0, (norm, m) => Math.Max(norm, m.GradNorm)),
                UpdateSkipped: minis.Any(m => m.UpdateSkipped),
                Rows: rows.Count,
                Tokens: rows.Sum(r => r.Tokens))
            {
                TruncatedTokenFraction = OnMean(_truncated),
                ProximalSeconds = proximalSeconds,
                MiniBatches = minis,
            };
    }
}
