namespace Hpt.Actors.Coordinator;

/// <summary>
/// The staleness bound as admission control (the AReaL/SkyRL capacity rule): prompts accepted so far (trained,
/// in flight or waiting) never exceed (version + eta + 1) x B, so no sample can be more than eta versions older
/// than the policy that trains on it. eta = 0 gives the synchronous on-policy schedule. Over-provisioning admits k
/// prompts more (k &lt;= B): they start while the step's last groups finish, belong to the next step, and so may be one
/// version older than eta allows (<see cref="Settings.PipelineSettings.EffectiveMaxStaleness"/>).
/// </summary>
public static class AdmissionControl
{
    public static long Capacity(long policyVersion, int maxStaleness, int promptsPerStep, int overProvision = 0) =>
        (policyVersion + maxStaleness + 1) * promptsPerStep + overProvision;

    public static bool CanAccept(long accepted, long policyVersion, int maxStaleness, int promptsPerStep, int overProvision = 0) =>
        accepted < Capacity(policyVersion, maxStaleness, promptsPerStep, overProvision);
}
