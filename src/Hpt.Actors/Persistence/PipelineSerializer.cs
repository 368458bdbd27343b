using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Hpt.Actors.Coordinator;

namespace Hpt.Actors.Persistence;

/// <summary>
/// Serializer for journaled events and coordinator snapshots. A closed set of types, each under a stable, versioned manifest,
/// encoded with System.Text.Json: no CLR type names in the rows (renaming a class cannot break recovery) and
/// nothing outside the set is ever instantiated from stored or received bytes.
/// </summary>
public sealed class PipelineSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The format this build writes; rows with a newer one are refused with a clear error.</summary>
    public const int FormatVersion = 1;

    // Log-probs can underflow to -Infinity: store non-finite numbers as "-Infinity"/"NaN" instead of failing the write.
    private static readonly JsonSerializerOptions Json = new()
    {
        IncludeFields = false,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public override int Identifier => 7_341;

    public override string Manifest(object o) => o switch
    {
        PromptIssued => "hpt.prompt-issued.v1",
        PromptReturned => "hpt.prompt-returned.v1",
        StepRecorded => "hpt.step-recorded.v1",
        RolledBack => "hpt.rolled-back.v1",
        GroupScored => "hpt.group-scored.v1",
        CheckpointCovered => "hpt.checkpoint-covered.v1",
        CoordinatorSnapshot => "hpt.coordinator-snapshot.v1",
        PromptSetAside => "hpt.prompt-set-aside.v1",
        _ => throw new ArgumentException($"PipelineSerializer cannot serialize {o.GetType().FullName}"),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        PromptIssued or PromptReturned or StepRecorded or RolledBack or GroupScored or CheckpointCovered or CoordinatorSnapshot or PromptSetAside
            => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json),
        _ => throw new ArgumentException($"PipelineSerializer cannot serialize {obj.GetType().FullName}"),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        "hpt.prompt-issued.v1" => Read<PromptIssued>(bytes, manifest),
        "hpt.prompt-returned.v1" => Read<PromptReturned>(bytes, manifest),
        "hpt.step-recorded.v1" => Read<StepRecorded>(bytes, manifest),
        "hpt.rolled-back.v1" => Read<RolledBack>(bytes, manifest),
        "hpt.group-scored.v1" => Read<GroupScored>(bytes, manifest),
        "hpt.checkpoint-covered.v1" => Read<CheckpointCovered>(bytes, manifest),
        "hpt.coordinator-snapshot.v1" => Read<CoordinatorSnapshot>(bytes, manifest),
        "hpt.prompt-set-aside.v1" => Read<PromptSetAside>(bytes, manifest),
        _ => throw new System.Runtime.Serialization.SerializationException(
            $"unknown stored record '{manifest}': the journal was written by a newer or different version of hpt " +
            $"(this build reads format v{FormatVersion}); refusing to continue rather than lose data"),
    };

    private static T Read<T>(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize<T>(bytes, Json)
        ?? throw new System.Runtime.Serialization.SerializationException($"stored record '{manifest}' is empty");
}
