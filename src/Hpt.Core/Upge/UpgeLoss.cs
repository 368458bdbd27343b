using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// The Unified Policy Gradient Estimator as one loss (paper Eq. 5, Table 1). Per token of a rollout row,
/// J = TIS x mask(r, A'), r = pi_theta / pi_ref, A' = shaped advantage; per token of an expert row in the RL term,
/// J = c_off x A x f(pi_theta / pi_ref_offline); both are weighted per row (alpha / expert RL weight) and aggregated
/// together. Then
/// <code>
/// loss = -Agg_RL(J) + c_sft x Agg_SFT(-w_sft x beta x log pi_theta) - c_ent x mean(H) + c_kl x mean(KL)
/// </code>
/// Everything created here is disposed, except the returned loss.
/// </summary>
public sealed class UpgeLoss(UpgeComponents components)
{
    public UpgeComponents Components { get; } = components;

    public UpgeLossResult Compute(UpgeBatch batch)
    {
        batch.Validate();
        var c = Components;
        var needsRowEntropy = c.AdvantageShaping.NeedsRowEntropy || c.SftWeighting.NeedsRowEntropy;
        if ((needsRowEntropy || c.EntropyCoef != 0.0) && batch.Entropy is null)
        {
            throw new ArgumentException("This algorithm needs UpgeBatch.Entropy (entropy bonus or SRFT weights).");
        }
        if (c.Kl != KlEstimator.None && c.KlCoef != 0.0 && batch.RefLogProbs is null)
        {
            throw new ArgumentException("This algorithm has a KL term and needs UpgeBatch.RefLogProbs.");
        }

        using var scope = NewDisposeScope();
        var norm = batch.Normalizer;
        // Half-precision log-probs are promoted: token counts above 256 are not exact in bfloat16, and the ratio's exp
        // needs more than 8 bits of mantissa to see a clip boundary at 1 + 4e-4 (GSPO).
        var dtype = batch.LogProbs.dtype is ScalarType.BFloat16 or ScalarType.Float16
            ? ScalarType.Float32
            : batch.LogProbs.dtype;

        // Padded positions may hold anything (the official code pads with 0, a sampler may not). Zero them before any
        // exp so that no inf reaches a product with a 0 mask: 0 * inf would be NaN in the loss or its gradient.
        var real = batch.Mask.gt(0.0);                                   // [B,T] bool
        var pad = real.logical_not();
        var mask = real.to_type(dtype);                                  // [B,T] 0/1
        var logp = batch.LogProbs.to_type(dtype).masked_fill(pad, 0.0);
        var old = batch.OldLogProbs.detach().to_type(dtype).masked_fill(pad, 0.0);
        var behaviour = batch.BehaviourLogProbs.detach().to_type(dtype).masked_fill(pad, 0.0);

        var expert = batch.IsExpert.unsqueeze(1);                        // [B,1] bool
        var rollout = expert.logical_not();
        // The rollout branch is evaluated on every row and then selected; on expert rows pi_old and the behaviour
        // log-probs may be absent (zeros, garbage), so they are set to give ratio 1 there, for the same NaN reason.
        var rawOld = old;
        old = where(expert, logp.detach(), old);
        behaviour = where(expert, old, behaviour);
        var rlWeight = batch.RlWeight.detach().to_type(dtype).unsqueeze(1); // [B,1]
        var sftWeight = batch.SftWeight.detach().to_type(dtype).unsqueeze(1);
        var inRl = rlWeight.ne(0.0);
        var onTokens = mask * rollout.logical_and(inRl).to_type(dtype);  // [B,T]
        var offTokens = mask * expert.logical_and(inRl).to_type(dtype);
        var rlTokens = onTokens + offTokens;
        var sftTokens = mask * sftWeight.ne(0.0).to_type(dtype);
        var advantages = (batch.Advantages.dim() == 1 ? batch.Advantages.unsqueeze(1) : batch.Advantages)
            .detach().to_type(dtype);                                    // [B,1] or [B,T]

        Tensor? rowEntropy = null;                                       // [B,1], detached
        if (needsRowEntropy)
        {
            var entropy = batch.Entropy!.detach().to_type(dtype).masked_fill(pad, 0.0);
            rowEntropy = entropy.sum(1, keepdim: true) / mask.sum(1, keepdim: true).clamp_min(1.0);
        }

        // RL term. Rollout rows: mask(r, A'); expert rows: A f(r_offline), never masked (Table 1: "none").
        var onLogRatio = c.Denominator.LogRatio(logp, old, mask);
        var onRatio = onLogRatio.exp();
        var onAdvantages = c.AdvantageShaping.Apply(advantages, rowEntropy);
        var onObjective = c.Mask.Objective(onRatio, onLogRatio, onAdvantages);
        var tisWeight = c.BehaviourCorrection?.Weight(old, behaviour);
        if (tisWeight is not null)
        {
            onObjective = onObjective * tisWeight;
        }
        var offRatio = c.OfflineDenominator.LogRatio(logp, rawOld, mask).exp();
        var offObjective = c.OfflineShaping.Apply(offRatio) * advantages * c.OfflineCoef;
        var objective = where(expert, offObjective, onObjective) * rlWeight;
        var rlLoss = -c.Aggregation.Reduce(objective, rlTokens, norm?.RlTokens, norm?.RlRows);

        // SFT term: -log p on rows with a non-zero SFT weight (beta).
        var sftValues = -logp * sftWeight;
        var rowFactor = c.SftWeighting.Weight(rowEntropy);
        if (rowFactor is not null)
        {
            sftValues = sftValues * rowFactor;
        }
        var sftLoss = c.SftAggregation.Reduce(sftValues, sftTokens, norm?.SftTokens, norm?.SftRows) * c.SftCoef;

        var total = rlLoss + sftLoss;
        var entropyMean = zeros(1, dtype: dtype, device: logp.device).squeeze();
        if (batch.Entropy is not null)
        {
            var entropy = batch.Entropy.to_type(dtype).masked_fill(pad, 0.0);
            entropyMean = Counts.Divide((entropy * mask).sum(), mask.sum(), norm?.AllTokens);
        }
        if (c.EntropyCoef != 0.0)
        {
            total = total - entropyMean * c.EntropyCoef;
        }
        var klMean = zeros_like(entropyMean);
        if (c.Kl != KlEstimator.None && batch.RefLogProbs is not null)
        {
            var reference = batch.RefLogProbs.detach().to_type(dtype).masked_fill(pad, 0.0);
            var kl = KlEstimators.PerToken(c.Kl, logp, reference);
            klMean = Counts.Divide((kl * mask).sum(), mask.sum(), norm?.AllTokens);
            if (c.KlCoef != 0.0)
            {
                total = total + klMean * c.KlCoef;
            }
        }

        var metrics = ReadMetrics(total, rlLoss, sftLoss, entropyMean, klMean, logp, old, behaviour, mask, rollout,
            expert, onTokens, offTokens, sftTokens, onRatio, onAdvantages, tisWeight);
        return new UpgeLossResult(total.MoveToOuterDisposeScope(), metrics);
    }

    private LossMetrics ReadMetrics(Tensor total, Tensor rlLoss, Tensor sftLoss, Tensor entropyMean, Tensor klMean,
        Tensor logp, Tensor old, Tensor behaviour, Tensor mask, Tensor rollout, Tensor expert, Tensor onTokens,
        Tensor offTokens, Tensor sftTokens, Tensor onRatio, Tensor onAdvantages, Tensor? tisWeight)
    {
        using var noGrad = no_grad();
        var dtype = mask.dtype;
        var onCount = onTokens.sum();
        var tokenRatio = (logp.detach() - old).exp();                    // pi_theta / pi_old per token
        var selected = onTokens.gt(0.0);
        // min()/max() of an empty tensor throw; an empty micro-batch reports the neutral ratio 1 below anyway.
        var empty = tokenRatio.numel() == 0;
        var ratioMin = empty ? ones_like(onCount)
            : where(selected, tokenRatio, full_like(tokenRatio, double.PositiveInfinity)).min();
        var ratioMax = empty ? ones_like(onCount)
            : where(selected, tokenRatio, full_like(tokenRatio, double.NegativeInfinity)).max();
        var clipped = Components.Mask.Clipped(onRatio.detach(), onAdvantages).to_type(dtype);
        var rolloutTokens = mask * rollout.to_type(dtype);
        var drift = old - behaviour;                                     // log(pi_old / pi_behaviour)
        var mismatch = drift.exp() - 1.0 - drift;                        // k3 of KL(behaviour || pi_old)
        var cap = Components.BehaviourCorrection?.Cap ?? double.PositiveInfinity;
        var tisMean = tisWeight is null ? ones_like(onCount) : Counts.Divide((tisWeight * onTokens).sum(), onCount, null);
        var tisCut = tisWeight is null
            ? zeros_like(onCount)
            : Counts.Divide((tisWeight.ge(cap).to_type(dtype) * onTokens).sum(), onCount, null);
        var rows = mask.shape[0];

        var values = stack(new[]
        {
            total.detach(), rlLoss.detach(), sftLoss.detach(), entropyMean.detach(), klMean.detach(),
            Counts.Divide((clipped * onTokens).sum(), onCount, null),
            Counts.Divide((tokenRatio * onTokens).sum(), onCount, null), ratioMin, ratioMax,
            Counts.Divide((mismatch * rolloutTokens).sum(), rolloutTokens.sum(), null),
            tisMean, tisCut,
            onCount, offTokens.sum(), sftTokens.sum(), mask.sum(),
            rollout.to_type(dtype).sum(), expert.to_type(dtype).sum(),
            rows == 0 ? zeros_like(onCount) : mask.sum() / rows,
        }.Select(t => t.to_type(ScalarType.Float64))).cpu().data<double>().ToArray();

        var noOnPolicy = values[12] == 0.0;
        return new LossMetrics(
            Loss: values[0], RlLoss: values[1], SftLoss: values[2], EntropyMean: values[3], KlMean: values[4],
            ClipFraction: values[5],
            RatioMean: noOnPolicy ? 1.0 : values[6], RatioMin: noOnPolicy ? 1.0 : values[7],
            RatioMax: noOnPolicy ? 1.0 : values[8],
            MismatchKl: values[9], TisWeightMean: noOnPolicy ? 1.0 : values[10], TisTruncatedFraction: values[11],
            OnPolicyTokens: values[12], OffPolicyTokens: values[13], SftTokens: values[14], AllTokens: values[15],
            OnPolicyRows: values[16], ExpertRows: values[17], MeanResponseLength: values[18]);
    }
}
