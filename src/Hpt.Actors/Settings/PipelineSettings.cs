namespace Hpt.Actors.Settings;

/// <summary>
/// How the pipeline schedules work. Built from the `hpt.pipeline` HOCON section (see hocon/pipeline.conf), which holds
/// every default: each member is required, so no value is taken from code.
/// </summary>
public sealed record PipelineSettings
{
    /// <summary>hpt.pipeline.prompts-per-step: prompts whose rows make one training step (B).</summary>
    public required int PromptsPerStep { get; init; }

    /// <summary>hpt.pipeline.samples-per-prompt: rollouts per prompt (n); the gate's accuracy P is measured on them.</summary>
    public required int SamplesPerPrompt { get; init; }

    /// <summary>hpt.pipeline.max-staleness: eta, how many policy versions a sample may lag (0 = synchronous on-policy).</summary>
    public required int MaxStaleness { get; init; }

    /// <summary>hpt.pipeline.total-steps: training steps of the run.</summary>
    public required long TotalSteps { get; init; }

    /// <summary>hpt.pipeline.stale-samples: "requeue" (issue the prompt again) or "train" (train with truncated importance weights).</summary>
    public required StaleSampleHandling StaleSamples { get; init; }

    /// <summary>hpt.pipeline.verifier-timeout: a check slower than this scores 0 with a warning.</summary>
    public required TimeSpan VerifierTimeout { get; init; }

    /// <summary>hpt.pipeline.verifiers: size of the verifier pool.</summary>
    public required int Verifiers { get; init; }

    /// <summary>
    /// hpt.pipeline.work-timeout: an issued prompt whose verified group has not come back after this long (a verifier
    /// node died with the check in flight, a message was lost on a partition) is issued again, with a journaled event.
    /// </summary>
    public required TimeSpan WorkTimeout { get; init; }

    /// <summary>hpt.pipeline.stall-warning: no step completed for this long prints what every role is doing.</summary>
    public required TimeSpan StallWarning { get; init; }

    /// <summary>hpt.pipeline.stall-abort: no step for this long stops the run with an error and a checkpoint (zero = never).</summary>
    public required TimeSpan StallAbort { get; init; }

    /// <summary>hpt.pipeline.max-attempts: failed generations of one prompt before it is set aside (or the run fails).</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>hpt.pipeline.after-max-attempts: what happens to a prompt that used up its attempts.</summary>
    public required MaxAttemptsAction AfterMaxAttempts { get; init; }

    /// <summary>
    /// hpt.pipeline.max-restarts: restarts of one pipeline actor (learner, coordinator, gate, a worker) in one process,
    /// however far apart its failures are; its next failure ends the run (see <see cref="Hosting.FailFastStrategy"/>).
    /// </summary>
    public required int MaxRestarts { get; init; }

    /// <summary>
    /// hpt.rollout.over-provision: k, prompts admitted beyond the staleness bound's (version + eta + 1) x B, so a worker
    /// keeps its slots busy while the step's last groups finish; the extras carry over into the next step with their
    /// tokens (APRIL / slime partial rollouts) and may be one version older than eta allows. 0..B.
    /// </summary>
    public required int OverProvision { get; init; }

    /// <summary>The oldest a trained sample may be (versions behind the learner): eta, plus one when over-provisioning.</summary>
    public int EffectiveMaxStaleness => MaxStaleness + (OverProvision > 0 ? 1 : 0);

    /// <summary>
    /// The dispatcher of the blocking tensor actors (rollout workers, learner): hocon/akka.conf's
    /// <c>hpt.compute-dispatcher</c>, which Akka reads when an actor is created on it. Not a setting: the name is fixed.
    /// </summary>
    public const string ComputeDispatcherPath = "hpt.compute-dispatcher";

    /// <inheritdoc cref="ComputeDispatcherPath"/>
    public string ComputeDispatcher => ComputeDispatcherPath;

    /// <summary>The settings hocon/ gives with nothing overridden (tests and benchmarks start from it with <c>with</c>).</summary>
    public static PipelineSettings Default => Create(HptConfig.Reference);

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
            MaxRestarts = r.Int("max-restarts", min: 1),
            // Admission lives here, so the coordinator and the learner read it with the rest of the schedule.
            OverProvision = new SettingsReader(root, "hpt.rollout").Int("over-provision", min: 0),
        };
        settings.Validate();
        return settings;
    }

    /// <summary>
    /// hpt.pipeline.max-restarts of an ActorSystem's configuration, for the supervisor strategy that Akka creates
    /// without the settings; hocon/'s default in a system configured without hpt's keys (actor tests).
    /// </summary>
    public static int MaxRestartsIn(Akka.Configuration.Config config) =>
        new SettingsReader(config.HasPath("hpt.pipeline.max-restarts") ? config : HptConfig.Reference, "hpt.pipeline").Int("max-restarts", min: 1);

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
        Require(MaxRestarts >= 1, "hpt.pipeline.max-restarts", MaxRestarts, "must be at least 1");
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
