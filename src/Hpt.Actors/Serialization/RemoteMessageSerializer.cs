using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Hpt.Actors.Cluster;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Serialization;

/// <summary>
/// The wire format of every pipeline message that crosses nodes: a closed set of types, each under a stable,
/// versioned manifest, encoded with System.Text.Json for that concrete type. Actor references travel as actor
/// paths and are resolved by the receiving system; policy weights travel only as a reference to a verified file
/// (<see cref="WeightFile"/>), never as tensors. Any other type, manifest or weight kind is refused, so nothing
/// outside this list is ever instantiated from network bytes.
/// </summary>
public sealed class RemoteMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The wire format this build speaks (every manifest ends in .v1).</summary>
    public const int FormatVersion = 1;

    public const int Id = 7_342;

    /// <summary>Every message type this serializer handles, with its manifest: the single source of the bindings.</summary>
    public static IReadOnlyDictionary<Type, string> Manifests { get; } = new Dictionary<Type, string>
    {
        [typeof(RequestWork)] = "hpt.request-work.v1",
        [typeof(RegisterWorker)] = "hpt.register-worker.v1",
        [typeof(GenerateRollouts)] = "hpt.generate-rollouts.v1",
        [typeof(RolloutsGenerated)] = "hpt.rollouts-generated.v1",
        [typeof(RolloutsFailed)] = "hpt.rollouts-failed.v1",
        [typeof(UpdatePolicy)] = "hpt.update-policy.v1",
        [typeof(GroupVerified)] = "hpt.group-verified.v1",
        [typeof(TrainOnPrompt)] = "hpt.train-on-prompt.v1",
        [typeof(PromptTooStale)] = "hpt.prompt-too-stale.v1",
        [typeof(StepCompleted)] = "hpt.step-completed.v1",
        [typeof(PolicyPublished)] = "hpt.policy-published.v1",
        [typeof(DuplicateDropped)] = "hpt.duplicate-dropped.v1",
        [typeof(WatchRun)] = "hpt.watch-run.v1",
        [typeof(RunCompleted)] = "hpt.run-completed.v1",
        [typeof(RunStalled)] = "hpt.run-stalled.v1",
        [typeof(GetRunStatus)] = "hpt.get-run-status.v1",
        [typeof(RunStatus)] = "hpt.run-status.v1",
        [typeof(RunProgress)] = "hpt.run-progress.v1",
        [typeof(ResumeFrom)] = "hpt.resume-from.v1",
        [typeof(SaveCheckpointNow)] = "hpt.save-checkpoint-now.v1",
        [typeof(CheckpointSaved)] = "hpt.checkpoint-saved.v1",
        [typeof(PromptWork)] = "hpt.prompt-work.v1",
        [typeof(Rollout)] = "hpt.rollout.v1",
        [typeof(TrainRow)] = "hpt.train-row.v1",
        [typeof(GetClusterStatus)] = "hpt.get-cluster-status.v1",
        [typeof(ClusterStatus)] = "hpt.cluster-status.v1",
        [typeof(ClusterStatusUnavailable)] = "hpt.cluster-status-unavailable.v1",
        [typeof(JoinRefused)] = "hpt.join-refused.v1",
    };

    private static readonly Dictionary<string, Type> ByManifest = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);

    private static readonly JsonSerializerOptions Json = new()
    {
        IncludeFields = false,
        IgnoreReadOnlyProperties = true, // computed properties (Rollout.OldestVersion, TrainRow.IsExpert) are not data
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN metrics must not break a step report
        Converters = { new JsonStringEnumConverter() },
    };

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"RemoteMessageSerializer cannot serialize {o.GetType().FullName}");

    public override byte[] ToBinary(object obj) => obj switch
    {
        RequestWork m => Write(new RequestWorkWire(PathOf(m.Worker), m.WorkerId, m.PolicyVersion, m.Credits, m.Fresh, m.Delivered.ToArray())),
        RegisterWorker m => Write(new RequestWorkWire(PathOf(m.Worker), m.WorkerId, m.PolicyVersion, m.Credits)),
        WatchRun m => Write(new WatchRunWire(PathOf(m.ReplyTo))),
        UpdatePolicy m => Write(new PolicyWire(FileOf(m.Snapshot))),
        PolicyPublished m => Write(new PolicyWire(FileOf(m.Snapshot))),
        GetRunStatus or SaveCheckpointNow => [],
        _ when Manifests.ContainsKey(obj.GetType()) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json),
        _ => throw new ArgumentException($"RemoteMessageSerializer cannot serialize {obj.GetType().FullName}"),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!ByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException(
                $"unknown message '{manifest}': sent by a newer or different version of hpt (this build speaks wire format v{FormatVersion}); " +
                "every node of a cluster must run the same hpt version");
        try
        {
            if (type == typeof(RequestWork))
            {
                var w = Read<RequestWorkWire>(bytes, manifest);
                return new RequestWork(Resolve(w.Worker), w.WorkerId, w.PolicyVersion) { Credits = w.Credits, Fresh = w.Fresh, Delivered = w.Delivered ?? [] };
            }
            if (type == typeof(RegisterWorker))
            {
                var w = Read<RequestWorkWire>(bytes, manifest);
                return new RegisterWorker(Resolve(w.Worker), w.WorkerId, w.PolicyVersion) { Credits = w.Credits };
            }
            if (type == typeof(UpdatePolicy)) return new UpdatePolicy(Snapshot(Read<PolicyWire>(bytes, manifest).Weights));
            if (type == typeof(WatchRun)) return new WatchRun(Resolve(Read<WatchRunWire>(bytes, manifest).ReplyTo));
            if (type == typeof(PolicyPublished)) return new PolicyPublished(Snapshot(Read<PolicyWire>(bytes, manifest).Weights));
            if (type == typeof(GetRunStatus)) return GetRunStatus.Instance;
            if (type == typeof(SaveCheckpointNow)) return SaveCheckpointNow.Instance;
            return JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"message '{manifest}' is empty");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"message '{manifest}' is malformed: {e.Message}", e);
        }
    }

    private static byte[] Write<T>(T wire) => JsonSerializer.SerializeToUtf8Bytes(wire, Json);

    private static T Read<T>(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new SerializationException($"message '{manifest}' is empty");

    private static string PathOf(IActorRef actor) => Akka.Serialization.Serialization.SerializedActorPath(actor);

    private IActorRef Resolve(string path) => system.Provider.ResolveActorRef(path);

    /// <summary>The reference that crosses nodes in place of the weights; weights without one never leave their process.</summary>
    private static WeightFile FileOf(PolicySnapshot snapshot)
    {
        var file = snapshot.Weights.File ?? throw new ArgumentException(
            $"policy weights of kind {snapshot.Weights.GetType().Name} cannot leave the process; publish them as files (hpt.cluster.weights-dir)");
        return file.Version == snapshot.Version
            ? file
            : throw new ArgumentException($"snapshot v{snapshot.Version} names the weight file of v{file.Version}");
    }

    private static PolicySnapshot Snapshot(WeightFile file)
    {
        WeightFile.CheckName(file.FileName);
        return new PolicySnapshot(file.Version, file);
    }

    private sealed record RequestWorkWire(string Worker, string WorkerId, long PolicyVersion, int Credits = 1, bool Fresh = false,
        PromptAttempt[]? Delivered = null);

    private sealed record WatchRunWire(string ReplyTo);

    /// <summary>A policy on the wire: the reference to its file, whose version is the policy's.</summary>
    private sealed record PolicyWire(WeightFile Weights);
}
