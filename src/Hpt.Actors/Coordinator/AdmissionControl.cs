namespace Hpt.Actors.Coordinator;

/// <summary>
/// The staleness bound as admission control (the AReaL/SkyRL capacity rule): prompts accepted so far (trained,
/// in flight or waiting) never exceed (version + eta + 1) x B, so no sample can be more than eta versions older
/// than the policy that trains on it. eta = 0 gives the synchronous on-policy schedule.
/// </summary>
public static class AdmissionControl
{
    public static long Capacity(long policyVersion, int maxStaleness, int promptsPerStep) =>
        (policyVersion + maxStaleness + 1) * promptsPerStep;

    public static bool CanAccept(long accepted, long policyVersion, int maxStaleness, int promptsPerStep) =>
        accepted < Capacity(policyVersion, maxStaleness, promptsPerStep);
}
