using Akka.Actor;
using Akka.Cluster;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Answers <see cref="GetClusterStatus"/> on the learner singleton's node (a child of <see cref="LearnerRootActor"/>):
/// the coordinator's latest <see cref="PipelineReport"/> (published on this node's event stream after every step and
/// at every watchdog tick, the same report status.json holds), the run directory's journal and newest checkpoint, and
/// the membership as this node sees it. It only reads: the run never waits for it.
/// </summary>
public sealed class StatusReporter : ReceiveActor
{
    private PipelineReport? _latest;

    public StatusReporter(string? runDirectory)
    {
        var dir = runDirectory is null ? null : new RunDirectory(runDirectory);
        Receive<PipelineReport>(report => _latest = report);
        Receive<GetClusterStatus>(_ =>
        {
            var self = SelfAddress(Context.System);
            Sender.Tell(_latest is null
                ? new ClusterStatusUnavailable($"the learner on {self} has not reported yet: it is recovering its journal or starting its pipeline")
                : new ClusterStatus(_latest, Files(dir), Members(Context.System), self));
        });
    }

    /// <summary>A status query must never fail the learner (its supervisor fails fast): unreadable files are unknown.</summary>
    private static RunFilesReport Files(RunDirectory? dir)
    {
        if (dir is null) return RunFilesReport.Unknown;
        try
        {
            return RunFiles.Read(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RunFilesReport.Unknown;
        }
    }

    public static Props Props(string? runDirectory) => Akka.Actor.Props.Create(() => new StatusReporter(runDirectory));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(PipelineReport));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private static bool IsCluster(ActorSystem system) => system.Settings.ProviderClass.Contains("Cluster", StringComparison.OrdinalIgnoreCase);

    private static string SelfAddress(ActorSystem system) =>
        (IsCluster(system) ? Akka.Cluster.Cluster.Get(system).SelfAddress : ((ExtendedActorSystem)system).Provider.DefaultAddress).ToString();

    /// <summary>Every member this node knows, oldest first; the oldest learner member hosts the singleton (this node).</summary>
    public static IReadOnlyList<MemberReport> Members(ActorSystem system)
    {
        if (!IsCluster(system)) return [];
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        return state.Members.Where(m => m.Status != MemberStatus.Removed)
            .OrderBy(m => m, Member.AgeOrdering)
            .Select(m => new MemberReport(m.Address.ToString(),
                m.Roles.Where(r => r is ClusterSettings.Learner or ClusterSettings.Rollout or ClusterSettings.Verifier).Order(StringComparer.Ordinal).ToArray(),
                m.Status.ToString(), !unreachable.Contains(m.UniqueAddress), NodeAdmission.Mismatch(cluster.SelfRoles, m.Roles) is null,
                m.Address == cluster.SelfAddress))
            .ToArray();
    }
}
