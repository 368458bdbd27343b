namespace Hpt.Actors.Persistence.Journal;

/// <summary>
/// The manifests of the stored records: the journal rows and snapshots name their format by one of these, never by a
/// CLR type. A manifest's bytes never change (the golden files of the tests pin them): a new format gets a new
/// manifest, and the reader of the old one stays, so every journal an earlier build wrote still loads.
/// </summary>
public static class StoredManifests
{
    public const string PromptIssuedV1 = "hpt.prompt-issued.v1";
    public const string PromptReturnedV1 = "hpt.prompt-returned.v1";
    public const string PromptSetAsideV1 = "hpt.prompt-set-aside.v1";
    /// <summary>Read only: the policy version stored three times (Step, PolicyVersion, Metrics.Step).</summary>
    public const string StepRecordedV1 = "hpt.step-recorded.v1";
    public const string StepRecordedV2 = "hpt.step-recorded.v2";
    public const string RolledBackV1 = "hpt.rolled-back.v1";
    public const string CheckpointCoveredV1 = "hpt.checkpoint-covered.v1";

    /// <summary>Read only: the whole wire <c>GroupVerified</c> graph, computed properties included.</summary>
    public const string GroupScoredV1 = "hpt.group-scored.v1";
    public const string GroupScoredV2 = "hpt.group-scored.v2";

    /// <summary>Read only: lacks the failure counts and set-aside prompts, and embeds v1 groups.</summary>
    public const string CoordinatorSnapshotV1 = "hpt.coordinator-snapshot.v1";
    /// <summary>Read only: each state's policy version stored twice (Step, PolicyVersion).</summary>
    public const string CoordinatorSnapshotV2 = "hpt.coordinator-snapshot.v2";
    public const string CoordinatorSnapshotV3 = "hpt.coordinator-snapshot.v3";

    /// <summary>Every manifest this build writes.</summary>
    public static IReadOnlyList<string> Written { get; } =
    [
        PromptIssuedV1, PromptReturnedV1, PromptSetAsideV1, StepRecordedV2, RolledBackV1, CheckpointCoveredV1, GroupScoredV2,
        CoordinatorSnapshotV3,
    ];

    /// <summary>Every manifest this build reads: the written ones and the older formats it still upgrades.</summary>
    public static IReadOnlyList<string> Read { get; } = [.. Written, StepRecordedV1, GroupScoredV1, CoordinatorSnapshotV1, CoordinatorSnapshotV2];
}
