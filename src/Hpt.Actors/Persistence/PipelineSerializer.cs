using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Persistence.Journal;
using M = Hpt.Actors.Persistence.Journal.StoredManifests;

namespace Hpt.Actors.Persistence;

/// <summary>
/// Serializer for the coordinator's journal events and snapshots. Each is mapped explicitly to its stored record
/// (<see cref="Journal"/>: the journal's own types, never a wire message, so editing a message cannot change what is
/// stored) and written with System.Text.Json under a versioned manifest: no CLR type names in the rows, and nothing
/// outside the closed set is ever instantiated from stored bytes. Older manifests keep their readers.
/// </summary>
public sealed class PipelineSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    // Log-probs can underflow to -Infinity: store non-finite numbers as "-Infinity"/"NaN" instead of failing the write.
    private static readonly JsonSerializerOptions Json = new()
    {
        IncludeFields = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public override int Identifier => 7_341;

    public override string Manifest(object o) => o switch
    {
        PromptIssued => M.PromptIssuedV1,
        PromptReturned => M.PromptReturnedV1,
        PromptSetAside => M.PromptSetAsideV1,
        StepRecorded => M.StepRecordedV2,
        RolledBack => M.RolledBackV1,
        CheckpointCovered => M.CheckpointCoveredV1,
        GroupScored => M.GroupScoredV2,
        CoordinatorSnapshot => M.CoordinatorSnapshotV3,
        _ => throw new ArgumentException($"PipelineSerializer cannot serialize {o.GetType().FullName}"),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        PromptIssued e => Write(StoredPromptIssued.From(e)),
        PromptReturned e => Write(StoredPromptReturned.From(e)),
        PromptSetAside e => Write(StoredPromptSetAside.From(e)),
        StepRecorded e => Write(StoredStepRecorded.From(e)),
        RolledBack e => Write(StoredRolledBack.From(e)),
        CheckpointCovered e => Write(StoredCheckpointCovered.From(e)),
        GroupScored e => Write(StoredGroup.From(e)),
        CoordinatorSnapshot s => Write(StoredSnapshot.From(s)),
        _ => throw new ArgumentException($"PipelineSerializer cannot serialize {obj.GetType().FullName}"),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            return manifest switch
            {
                M.PromptIssuedV1 => Read<StoredPromptIssued>(bytes, manifest).ToEvent(),
                M.PromptReturnedV1 => Read<StoredPromptReturned>(bytes, manifest).ToEvent(),
                M.PromptSetAsideV1 => Read<StoredPromptSetAside>(bytes, manifest).ToEvent(),
                M.StepRecordedV1 => Read<StoredStepRecordedV1>(bytes, manifest).ToEvent(),
                M.StepRecordedV2 => Read<StoredStepRecorded>(bytes, manifest).ToEvent(),
                M.RolledBackV1 => Read<StoredRolledBack>(bytes, manifest).ToEvent(),
                M.CheckpointCoveredV1 => Read<StoredCheckpointCovered>(bytes, manifest).ToEvent(),
                M.GroupScoredV1 => Read<StoredGroupV1>(bytes, manifest).ToEvent(),
                M.GroupScoredV2 => Read<StoredGroup>(bytes, manifest).ToEvent(),
                M.CoordinatorSnapshotV1 => Read<StoredSnapshotV1>(bytes, manifest).ToSnapshot(),
                M.CoordinatorSnapshotV2 => Read<StoredSnapshotV2>(bytes, manifest).ToSnapshot(),
                M.CoordinatorSnapshotV3 => Read<StoredSnapshot>(bytes, manifest).ToSnapshot(),
                _ => throw new SerializationException(
                    $"unknown stored record '{manifest}': the journal was written by a newer or different version of hpt " +
                    $"(this build reads {string.Join(", ", M.Read)}); refusing to continue rather than lose data"),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new SerializationException($"stored record '{manifest}' is malformed: {e.Message}", e);
        }
    }

    private static byte[] Write<T>(T stored) => JsonSerializer.SerializeToUtf8Bytes(stored, Json);

    private static T Read<T>(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new SerializationException($"stored record '{manifest}' is empty");
}
