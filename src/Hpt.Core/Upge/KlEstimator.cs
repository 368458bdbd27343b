namespace Hpt.Core.Upge;

/// <summary>Schulman's per-token estimators of KL(pi_theta || pi_ref) on tokens sampled from pi_theta.</summary>
public enum KlEstimator
{
    /// <summary>No KL term.</summary>
    None,

    /// <summary>k1 = log(pi_theta / pi_ref): unbiased, high variance, can be negative.</summary>
    K1,

    /// <summary>k2 = 0.5 * log(pi_theta / pi_ref)^2.</summary>
    K2,

    /// <summary>k3 = pi_ref / pi_theta - 1 - log(pi_ref / pi_theta): unbiased, non-negative (GRPO's choice).</summary>
    K3,
}
