namespace Hpt.Core.Tests.Upge.Support;

/// <summary>
/// Textbook losses written out with loops, independently of the library's components: each is the formula from the
/// algorithm's paper or from the official code (paper.md section 4), as a function of the log-probs. Stop-gradient
/// factors are evaluated at the scenario's base point, so finite differences treat them as constants.
/// Rows: "rollout" rows are those with IsExpert false, "expert" rows those with IsExpert true.
/// </summary>
internal static class Reference
{
    public const double OfficialLength = 8192;

    public static double Clip(double x, double lo, double hi) => Math.Max(lo, Math.Min(hi, x));

    /// <summary>min(r A, clip(r, 1 - lo, 1 + hi) A).</summary>
    public static double Ppo(double r, double a, double epsLow, double epsHigh) =>
        Math.Min(r * a, Clip(r, 1 - epsLow, 1 + epsHigh) * a);

    public static double Ratio(Scenario s, double[,] lp, int b, int t) => Math.Exp(lp[b, t] - s.Old[b, t]);

    /// <summary>SFT (Eq. 12 pooled): -sum over expert tokens of log p / their number.</summary>
    public static double SftTokenMean(Scenario s, double[,] lp)
    {
        double sum = 0, n = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            if (!s.IsExpert[b])
            {
                continue;
            }
            for (var t = 0; t < s.Length[b]; t++)
            {
                sum -= lp[b, t];
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    /// <summary>Eq. 12 as printed: mean over expert rows of -(1/|tau|) sum_t log p.</summary>
    public static double SftSequenceMean(Scenario s, double[,] lp)
    {
        double sum = 0, rows = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            if (!s.IsExpert[b] || s.Length[b] == 0)
            {
                continue;
            }
            double row = 0;
            for (var t = 0; t < s.Length[b]; t++)
            {
                row -= lp[b, t];
            }
            sum += row / s.Length[b];
            rows++;
        }
        return rows == 0 ? 0 : sum / rows;
    }

    /// <summary>REINFORCE / RLOO with the response as one action: -(1/G) sum_i A_i log pi(o_i) = -(1/G) sum_i A_i sum_t log p.</summary>
    public static double SequenceReinforce(Scenario s, double[,] lp)
    {
        double sum = 0, rows = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            if (s.IsExpert[b] || s.Length[b] == 0)
            {
                continue;
            }
            for (var t = 0; t < s.Length[b]; t++)
            {
                sum -= s.Advantage[b] * lp[b, t];
            }
            rows++;
        }
        return rows == 0 ? 0 : sum / rows;
    }

    /// <summary>GRPO: -(1/G) sum_i (1/|o_i|) sum_t w_t min(r A, clip(r) A); w = 1 unless a per-token weight is given.</summary>
    public static double Grpo(Scenario s, double[,] lp, double epsLow, double epsHigh, Func<int, int, double>? weight = null)
    {
        double sum = 0, rows = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            if (s.IsExpert[b] || s.Length[b] == 0)
            {
                continue;
            }
            double row = 0;
            for (var t = 0; t < s.Length[b]; t++)
            {
                row += (weight?.Invoke(b, t) ?? 1.0) * Ppo(Ratio(s, lp, b, t), s.AdvantageAt(b, t), epsLow, epsHigh);
            }
            sum += row / s.Length[b];
            rows++;
        }
        return rows == 0 ? 0 : -sum / rows;
    }

    /// <summary>Dr.GRPO and the paper's Eq. 11: -(1/G) sum_i sum_t min(r A, clip(r) A) / constant.</summary>
    public static double SequenceMeanOfTokenSums(Scenario s, double[,] lp, double epsLow, double epsHigh, double constant)
    {
        double sum = 0, rows = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            if (s.IsExpert[b] || s.Length[b] == 0)
            {
                continue;
            }
            for (var t = 0; t < s.Length[b]; t++)
            {
                sum += Ppo(Ratio(s, lp, b, t), s.Advantage[b], epsLow, epsHigh);
            }
            rows++;
        }
        return rows == 0 ? 0 : -sum / constant / rows;
    }

    /// <summary>PPO-clip with a token mean over all rollout tokens.</summary>
    public static double PpoTokenMean(Scenario s, double[,] lp, double epsLow, double epsHigh)
    {
        double sum = 0, n = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            for (var t = 0; !s.IsExpert[b] && t < s.Length[b]; t++)
            {
                sum += Ppo(Ratio(s, lp, b, t), s.Advantage[b], epsLow, epsHigh);
                n++;
            }
        }
        return n == 0 ? 0 : -sum / n;
    }

    /// <summary>CISPO (MiniMax-M1 Eq. 4): -(1/N) sum sg(min(r, 1 + eps_high)) A log p, r at the base point.</summary>
    public static double Cispo(Scenario s, double[,] lp, double epsHigh)
    {
        double sum = 0, n = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            for (var t = 0; !s.IsExpert[b] && t < s.Length[b]; t++)
            {
                var weight = Math.Min(Ratio(s, s.LogP, b, t), 1 + epsHigh);
                sum += weight * s.Advantage[b] * lp[b, t];
                n++;
            }
        }
        return n == 0 ? 0 : -sum / n;
    }

    /// <summary>GSPO (Zheng et al. Eq. 5-7): s_i = exp(mean_t log(pi / pi_old)); -(1/G) sum_i min(s_i A_i, clip(s_i) A_i).</summary>
    public static double Gspo(Scenario s, double[,] lp, double epsLow, double epsHigh)
    {
        double sum = 0, rows = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            if (s.IsExpert[b] || s.Length[b] == 0)
            {
                continue;
            }
            double logRatio = 0;
            for (var t = 0; t < s.Length[b]; t++)
            {
                logRatio += lp[b, t] - s.Old[b, t];
            }
            sum += Ppo(Math.Exp(logRatio / s.Length[b]), s.Advantage[b], epsLow, epsHigh);
            rows++;
        }
        return rows == 0 ? 0 : -sum / rows;
    }

    /// <summary>-0.001 x mean entropy over every real token (constant in log p; part of the loss value).</summary>
    public static double EntropyBonus(Scenario s, double coef)
    {
        double sum = 0, n = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            for (var t = 0; t < s.Length[b]; t++)
            {
                sum += s.Entropy[b, t];
                n++;
            }
        }
        return n == 0 ? 0 : -coef * sum / n;
    }

    /// <summary>
    /// The official code's mixed actor loss (paper.md 1.3 and 4): sum over rollout tokens of -A rho / 8192 (no clip),
    /// sum over off-policy expert tokens of -A p / (p + 0.1) / 8192 (LUFFY), c_sft x SFT token mean over the SFT
    /// expert rows, minus 0.001 x mean entropy.
    /// </summary>
    public static double Official(Scenario s, double[,] lp, bool expertSft, bool expertOffPolicy, double sftCoef)
    {
        double pg = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            for (var t = 0; t < s.Length[b]; t++)
            {
                if (!s.IsExpert[b])
                {
                    pg += -s.Advantage[b] * Ratio(s, lp, b, t);
                }
                else if (expertOffPolicy)
                {
                    var p = Math.Exp(lp[b, t]);
                    pg += -s.Advantage[b] * p / (p + 0.1);
                }
            }
        }
        var sft = expertSft ? sftCoef * SftTokenMean(s, lp) : 0.0;
        return pg / OfficialLength + sft + EntropyBonus(s, 0.001);
    }

    /// <summary>
    /// SRFT in the official HPT code (paper.md 1.8, 4.7): rollouts -A' log p with A' = 0.1 e^H_i if correct else -1;
    /// expert -A p / (p + 0.1); both summed / 8192; plus the token mean over expert rows of -(0.5 e^-H_i) log p.
    /// </summary>
    public static double Srft(Scenario s, double[,] lp, IReadOnlyList<bool> correct)
    {
        double pg = 0, sft = 0, sftTokens = 0;
        for (var b = 0; b < s.Rows; b++)
        {
            var h = s.RowEntropy(b);
            for (var t = 0; t < s.Length[b]; t++)
            {
                if (!s.IsExpert[b])
                {
                    var a = correct[b] ? 0.1 * Math.Exp(h) : -1.0;
                    pg += -a * lp[b, t];
                }
                else
                {
                    var p = Math.Exp(lp[b, t]);
                    pg += -s.Advantage[b] * p / (p + 0.1);
                    sft += -0.5 * Math.Exp(-h) * lp[b, t];
                    sftTokens++;
                }
            }
        }
        return pg / OfficialLength + (sftTokens == 0 ? 0 : sft / sftTokens) + EntropyBonus(s, 0.001);
    }
}
