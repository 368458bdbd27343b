using System.Globalization;
using System.Text;
using Akka.Actor;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Hpt.Training.Engines;

namespace Hpt.Actors.Tests.Persistence.StoredFormats;

/// <summary>
/// A coordinator run that writes every kind of journal event and a snapshot (steps 1..6 with checkpoints, a snapshot
/// at step 4 that deletes the events before it, verified groups in flight, a failed and a stale generation, a prompt
/// set aside after max-attempts, a rollback from step 6 to 5), and an observation of how a new coordinator resumes
/// from that journal. The committed fixtures <c>v1-journal.db</c> and <c>v2-journal.db</c> were written by this scenario
/// with earlier builds' serializers (see <see cref="OlderJournalFixtureTests"/>); each <c>.resume.txt</c> is the
/// observation that build made of its own resume.
/// </summary>
public static class JournalScenario
{
    public const string RunId = "stored-formats";

    public static readonly PipelineSettings Settings = PipelineSettings.Default with { PromptsPerStep = 2, MaxStaleness = 1, TotalSteps = 40, MaxAttempts = 2 };

    public static readonly SnapshotPolicy Snapshots = new(EverySteps: 4, KeepCheckpoints: 3);

    public static IActorRef Start(ActorSystem sys) =>
        sys.ActorOf(CoordinatorActor.Props(RunId, Settings, Fixtures.Problems(7), seed: 4, snapshots: Snapshots));

    /// <summary>Metrics with every field distinct, a NaN and an infinity: what a stored step must keep exactly.</summary>
    public static StepMetrics Metrics(long step) =>
        new(step, 0.5 + step, 0.25 * step, double.NaN, 0.125, 0.75, 11.5 + step, 0.1, 1.0 / 3, 0.2, 1e-7, double.PositiveInfinity,
            step % 2 == 0, 0.4, step, 1.5, 0.05, 0.01, 2, 9, 27 + (int)step, 8.5)
        {
            RolloutIdleFraction = 0.3,
            OfflineSampleRatio = 0.125,
            TruncatedTokenFraction = 0.0625,
            ProximalSeconds = 0.02,
        };

    public static IReadOnlyDictionary<string, double> GateState(long step) =>
        new Dictionary<string, double> { ["gamma"] = 0.25 + step / 10.0, ["decisions"] = 3 * step };

    public static Rollout Rollout(long seq, long version) =>
        new($"answer {seq}", [1, 2, (int)seq], [3, 4, 5], [-0.1f, float.NegativeInfinity, -1e-30f], [version, version, version + 1],
            Truncated: seq % 2 == 0);

    private static GroupVerified Verified(GenerateRollouts issued, long step) =>
        new(new RolloutsGenerated(issued.Work, issued.Attempt, step, "w", [Rollout(issued.Work.Seq, step), Rollout(issued.Work.Seq + 100, step)], 0.75)
        {
            IdleSeconds = 0.125,
        }, [1.0, 0.0], 0.5, 1);

    private static async Task<RunStatus> StatusOf(IActorRef coordinator) =>
        await coordinator.Ask<RunStatus>(GetRunStatus.Instance, TimeSpan.FromSeconds(20));

    private static async Task<GenerateRollouts> Issue(ActorSystem sys, IActorRef coordinator, TestProbeLike worker)
    {
        coordinator.Tell(new RequestWork(worker.Ref, "w", worker.Version), worker.Ref);
        return await worker.Inbox.ReceiveAsync<GenerateRollouts>(sys);
    }

    private static async Task Fill(ActorSystem sys, IActorRef coordinator, TestProbeLike worker, List<GenerateRollouts> inFlight)
    {
        var status = await StatusOf(coordinator);
        while (status.Accepted < AdmissionControl.Capacity(status.PolicyVersion, Settings.MaxStaleness, Settings.PromptsPerStep))
        {
            inFlight.Add(await Issue(sys, coordinator, worker));
            status = await StatusOf(coordinator);
        }
    }

    private static async Task Step(ActorSystem sys, IActorRef coordinator, TestProbeLike worker, List<GenerateRollouts> inFlight, long step)
    {
        var consumed = inFlight.Take(2).Select(g => g.Work.Seq).ToArray();
        inFlight.RemoveRange(0, 2);
        coordinator.Tell(new StepCompleted(step, consumed, Metrics(step)) { GateState = GateState(step) });
        coordinator.Tell(new CheckpointSaved(step, "checkpoint"));
        worker.Version = step;
        await StatusOf(coordinator);
    }

    /// <summary>Writes the scenario's journal through <paramref name="sys"/> (whose store decides where).</summary>
    public static async Task WriteAsync(ActorSystem sys)
    {
        var coordinator = Start(sys);
        var worker = TestProbeLike.Create(sys);
        var inFlight = new List<GenerateRollouts>();
        for (var step = 1; step <= 4; step++)
        {
            await Fill(sys, coordinator, worker, inFlight);
            coordinator.Tell(Verified(inFlight[2], step - 1));
            await Step(sys, coordinator, worker, inFlight, step);
        }
        await Task.Delay(500); // the deletes after the step-4 snapshot are asynchronous

        // Step 5: one prompt fails twice (set aside at max-attempts 2), one is too stale and goes out again.
        await Fill(sys, coordinator, worker, inFlight);
        var failing = inFlight[^1];
        inFlight.Remove(failing);
        coordinator.Tell(new RolloutsFailed(failing.Work, failing.Attempt, "w", "out of memory"), worker.Ref);
        var retry = await Issue(sys, coordinator, worker);
        if (retry.Work.Seq != failing.Work.Seq || retry.Attempt != 2) throw new InvalidOperationException($"unexpected retry {retry}");
        coordinator.Tell(new RolloutsFailed(retry.Work, retry.Attempt, "w", "out of memory again"), worker.Ref);
        await StatusOf(coordinator);
        var stale = inFlight[^1];
        inFlight.Remove(stale);
        coordinator.Tell(new PromptTooStale(stale.Work, stale.Attempt, 1, 4));
        await StatusOf(coordinator);
        await Fill(sys, coordinator, worker, inFlight);
        coordinator.Tell(Verified(inFlight[2], 4));
        await Step(sys, coordinator, worker, inFlight, 5);

        // Step 6, then the run goes back to the checkpoint of step 5 and issues work again.
        await Fill(sys, coordinator, worker, inFlight);
        await Step(sys, coordinator, worker, inFlight, 6);
        await coordinator.Ask<RunStatus>(new ResumeFrom(5), TimeSpan.FromSeconds(20));
        worker.Version = 5;
        var again = new List<GenerateRollouts>();
        await Fill(sys, coordinator, worker, again);
        coordinator.Tell(Verified(again[0], 5));
        await StatusOf(coordinator);
    }

    /// <summary>
    /// What the journal holds and how a coordinator resumes from it, as text: the reader's view (snapshot step, events,
    /// state, effective steps), then a coordinator started on it: the groups it hands the gate, its status, the next
    /// prompts it issues, and a rollback to the older retained checkpoint.
    /// </summary>
    public static async Task<string> ObserveAsync(ActorSystem sys)
    {
        var text = new StringBuilder();
        var view = await JournalReader.ReadViewAsync(sys, RunId, TimeSpan.FromSeconds(20));
        text.AppendLine($"snapshot step {view.Snapshot?.Current.PolicyVersion.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        foreach (var e in view.Events) text.AppendLine("event " + Describe(e));
        text.AppendLine("state " + Describe(view.State));
        foreach (var s in view.StepsAfterSnapshot) text.AppendLine("effective " + Describe(s));

        var coordinator = Start(sys);
        var gate = TestProbeLike.Create(sys);
        coordinator.Tell(new GateReady(gate.Ref));
        for (var i = 0; i < view.State.Scored.Count; i++)
            text.AppendLine("to gate " + DescribeGroup(await gate.Inbox.ReceiveAsync<GroupScored>(sys)));
        text.AppendLine("status " + Describe(await StatusOf(coordinator)));
        var worker = TestProbeLike.Create(sys, version: 5);
        for (var i = 0; i < 3; i++)
        {
            var issued = await Issue(sys, coordinator, worker);
            text.AppendLine($"issued {issued.Work.Seq}/{issued.Attempt} epoch {issued.Work.Epoch} problem {issued.Work.ProblemId} min v{issued.IssueVersion}");
        }
        text.AppendLine("rolled back " + Describe(await coordinator.Ask<RunStatus>(new ResumeFrom(4), TimeSpan.FromSeconds(20))));
        return text.ToString();
    }

    private static string F(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private static string Map(IReadOnlyDictionary<string, double>? map) =>
        map is null ? "null" : "{" + string.Join(",", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={F(kv.Value)}")) + "}";

    private static string Seqs<T>(IEnumerable<T> items) => "[" + string.Join(",", items) + "]";

    public static string Describe(ICoordinatorEvent e) => e switch
    {
        PromptIssued i => $"issued {i.Seq}/{i.Attempt}",
        PromptReturned r => $"returned {r.Seq}/{r.Attempt} failed {r.Failed} '{r.Reason}'",
        PromptSetAside a => $"set aside {a.Seq}/{a.Attempt} '{a.Reason}'",
        GroupScored g => $"scored {g.Seq}/{g.Attempt} {DescribeGroup(g)}",
        StepRecorded s => Describe(s),
        RolledBack b => $"rolled back to {b.ToStep} from {b.FromStep}",
        CheckpointCovered c => $"checkpoint {c.Step}",
        _ => throw new ArgumentException($"unknown event {e.GetType().Name}"),
    };

    // The observation's text is the earlier builds' (the fixtures' .resume.txt): they printed Step and PolicyVersion, one
    // counter that the records now hold once, so "step N vN" prints that one number twice.
    public static string Describe(StepRecorded s)
    {
        var m = s.Metrics;
        double[] numbers =
        [
            m.Loss, m.RewardMean, m.RewardStd, m.ZeroVarianceGroupFraction, m.OfflinePromptRatio, m.ResponseLengthMean, m.TruncationRate,
            m.Entropy, m.ClipFraction, m.MismatchKl, m.GradNorm, m.StalenessMean, m.StalenessMax, m.LearnerSeconds, m.LearnerIdleFraction,
            m.PublishSeconds, m.Prompts, m.Rows, m.Tokens, m.Samples, m.RolloutIdleFraction, m.SetAsidePrompts, m.OfflineSampleRatio,
            m.TruncatedTokenFraction, m.ProximalSeconds,
        ];
        return $"step {s.PolicyVersion} v{s.PolicyVersion} seqs {Seqs(s.Seqs)} metrics step {m.Step} skipped {m.UpdateSkipped} " +
               $"{string.Join(" ", numbers.Select(F))} gate {Map(s.GateState)}";
    }

    public static string DescribeGroup(GroupScored scored)
    {
        var (v, p) = (scored.Verified, scored.Problem);
        var g = v.Group;
        var w = g.Work;
        var rollouts = g.Rollouts.Select(r =>
            $"({r.Text}|{Seqs(r.PromptTokens)}|{Seqs(r.ResponseTokens)}|{Seqs(r.BehaviourLogProbs.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))}" +
            $"|{Seqs(r.TokenVersions)}|{r.Truncated})");
        return $"work {w.Seq} epoch {w.Epoch} {w.ProblemId} '{w.Prompt}' '{p.Answer}' '{p.Demonstration ?? "null"}' attempt {g.Attempt} " +
               $"step {g.IssueVersion} worker {g.WorkerId} seconds {F(g.Seconds)} idle {F(g.IdleSeconds)} rollouts {string.Join(" ", rollouts)} " +
               $"rewards {Seqs(v.Rewards.Select(F))} expert {F(v.ExpertReward)} failed {v.Failed}";
    }

    public static string Describe(CoordinatorState s) =>
        $"step {s.PolicyVersion} v{s.PolicyVersion} next {s.NextSeq} accepted {s.Accepted} in flight {Seqs(s.InFlight.Select(kv => $"{kv.Key}/{kv.Value}"))} " +
        $"returned {Seqs(s.Returned.Select(kv => $"{kv.Key}/{kv.Value}"))} trained {Seqs(s.Trained.Order())} " +
        $"scored {Seqs(s.Scored.Select(kv => $"{kv.Key}/{kv.Value.Attempt}@{s.ScoredOrder.GetValueOrDefault(kv.Key, -1)}"))} " +
        $"scored total {s.ScoredTotal} gate {Map(s.GateState)} returned total {s.ReturnedTotal} " +
        $"failures {Seqs(s.Failures.Select(kv => $"{kv.Key}x{kv.Value}"))} set aside {Seqs(s.SetAside)}";

    private static string Describe(RunStatus s) =>
        $"step {s.PolicyVersion} v{s.PolicyVersion} accepted {s.Accepted} in flight {s.InFlight} requeued {s.Requeued} trained {Seqs(s.TrainedSeqs)} " +
        $"completed {s.Completed} gate {Map(s.GateState)} set aside {s.SetAside}";
}
