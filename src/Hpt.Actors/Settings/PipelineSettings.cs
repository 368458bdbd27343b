namespace Hpt.Actors.Settings;

/// <summary>How the pipeline schedules work. Built from the `hpt.pipeline` HOCON section (see hocon/pipeline.conf).</summary>
public sealed record PipelineSettings
{
    /// <summary>hpt.pipeline.prompts-per-step: prompts whose rows make one training step (B).</summary>
    public int PromptsPerStep { get; init; } = 8;

    /// <summary>hpt.pipeline.samples-per-prompt: rollouts per prompt (n); the gate's accuracy P is measured on them.</summary>
    public int SamplesPerPrompt { get; init; } = 8;

    /// <summary>hpt.pipeline.max-staleness: eta, how many policy versions a sample may lag (0 = synchronous on-policy).</summary>
    public int MaxStaleness { get; init; } = 1;

    /// <summary>hpt.pipeline.total-steps: training steps of the run.</summary>
    public long TotalSteps { get; init; } = 10;

    /// <summary>hpt.pipeline.stale-samples: "requeue" (issue the prompt again) or "train" (train with truncated importance weights).</summary>
    public StaleSampleHandling StaleSamples { get; init; } = StaleSampleHandling.Requeue;

    /// <summary>hpt.pipeline.verifier-timeout: a check slower than this scores 0 with a warning.</summary>
    public TimeSpan VerifierTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>hpt.pipeline.verifiers: size of the verifier pool.</summary>
    public int Verifiers { get; init; } = 2;

    /// <summary>
    /// hpt.pipeline.work-timeout: an issued prompt whose verified group has not come back after this long (a verifier
    /// node died with the check in flight, a message was lost on a partition) is issued again, with a journaled event.
    /// </summary>
    public TimeSpan WorkTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>hpt.pipeline.stall-warning: no step completed for this long prints what every role is doing.</summary>
    public TimeSpan StallWarning { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>hpt.pipeline.stall-abort: no step for this long stops the run with an error and a checkpoint (zero = never).</summary>
    public TimeSpan StallAbort { get; init; } = TimeSpan.FromHours(2);
    /// <summary>hpt.pipeline.max-attempts: failed generations of one prompt before it is set aside (or the run fails).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>hpt.pipeline.after-max-attempts: what happens to a prompt that used up its attempts.</summary>
    public MaxAttemptsAction AfterMaxAttempts { get; init; } = MaxAttemptsAction.SetAside;

    /// <summary>
    /// hpt.rollout.over-provision: k, prompts admitted beyond the staleness bound's (version + eta + 1) x B, so a worker
    /// keeps its slots busy while the step's last groups finish; the extras carry over into the next step with their
    /// tokens (APRIL / slime partial rollouts) and may be one version older than eta allows. 0..B.
    /// </summary>
    public int OverProvision { get; init; }

    /// <summary>The oldest a trained sample may be (versions behind the learner): eta, plus one when over-provisioning.</summary>
    public int EffectiveMaxStaleness => MaxStaleness + (OverProvision > 0 ? 1 : 0);

    /// <summary>hpt.pipeline.dispatcher: dispatcher of the blocking tensor actors (rollout workers, learner).</summary>
    public string ComputeDispatcher { get; init; } = "hpt.compute-dispatcher";

    public static PipelineSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.pipeline");
        var settings = new PipelineSettings
        {
            PromptsPerStep = r.Int("prompts-per-step", min: 1),
            SamplesPerPrompt = r.Int("samples-per-prompt", min: 1),
            MaxStaleness = r.Int("max-staleness", min: 0),
            TotalSteps = r.Long("total-steps", min: 1),
            StaleSamples = r.Enum<StaleSampleHandling>("stale-samples"),
            VerifierTimeout = r.Duration("verifier-timeout"),
            Verifiers = r.Int("verifiers", min: 1),
            WorkTimeout = r.Duration("work-timeout"),
            StallWarning = r.Duration("stall-warning"),
            StallAbort = r.Duration("stall-abort"),
            MaxAttempts = r.Int("max-attempts", min: 1),
            AfterMaxAttempts = r.Enum<MaxAttemptsAction>("after-max-attempts"),
        };
        settings = settings with { OverProvision = new SettingsReader(root, "hpt.rollout").Int("over-provision", min: 0) };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        Require(PromptsPerStep >= 1, "hpt.pipeline.prompts-per-step", PromptsPerStep, "must be at least 1");
        Require(SamplesPerPrompt >= 1, "hpt.pipeline.samples-per-prompt", SamplesPerPrompt, "must be at least 1");
        Require(MaxStaleness >= 0, "hpt.pipeline.max-staleness", MaxStaleness, "must be 0 or more");
        Require(TotalSteps >= 1, "hpt.pipeline.total-steps", TotalSteps, "must be at least 1");
        Require(OverProvision >= 0 && OverProvision <= PromptsPerStep, "hpt.rollout.over-provision", OverProvision,
            $"must be in 0..hpt.pipeline.prompts-per-step ({PromptsPerStep})");
        Require(Verifiers >= 1, "hpt.pipeline.verifiers", Verifiers, "must be at least 1");
        Require(MaxAttempts >= 1, "hpt.pipeline.max-attempts", MaxAttempts, "must be at least 1");
        Require(VerifierTimeout > TimeSpan.Zero, "hpt.pipeline.verifier-timeout", VerifierTimeout, "must be positive");
        Require(WorkTimeout > TimeSpan.Zero, "hpt.pipeline.work-timeout", WorkTimeout, "must be positive");
        Require(StallWarning > TimeSpan.Zero, "hpt.pipeline.stall-warning", StallWarning, "must be positive");
        Require(StallAbort == TimeSpan.Zero || StallAbort > StallWarning, "hpt.pipeline.stall-abort", StallAbort,
            "must be 0 (never) or longer than hpt.pipeline.stall-warning");
    }

    private static void Require(bool ok, string key, object value, string rule)
    {
        if (!ok) throw new SettingsException(key, $"{value} {rule}");
    }
}

/// <summary>hpt.pipeline.after-max-attempts: set-aside (skip the prompt, journaled and counted) or fail (stop the run).</summary>
public enum MaxAttemptsAction
{
    SetAside,
    Fail,
}

public enum StaleSampleHandling
{
    Requeue,
    Train,
}
