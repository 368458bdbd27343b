using System.Reflection;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Persistence;
using Hpt.Actors.Persistence.Journal;
using Hpt.Actors.Protocol;
using M = Hpt.Actors.Persistence.Journal.StoredManifests;

namespace Hpt.Actors.Tests.Persistence.StoredFormats;

/// <summary>
/// Approval tests of the stored formats: the bytes of every record this build writes equal the golden file of its
/// manifest (Golden/&lt;manifest&gt;/&lt;sample&gt;.json), and every older manifest still reads. A golden file is never
/// rewritten: a format change is a new manifest (its golden files are created once, with
/// HPT_APPROVE_STORED_FORMATS=1) and a reader for the old one.
/// </summary>
public sealed class StoredFormatApprovalTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("formats");
    private readonly PipelineSerializer _serializer;

    public StoredFormatApprovalTests() => _serializer = new PipelineSerializer((ExtendedActorSystem)_system);

    public void Dispose() => _system.Dispose();

    private static string Golden() => RepoPaths.Under("tests", "Hpt.Actors.Tests", "Persistence", "StoredFormats", "Golden");

    private static string GoldenFile(string manifest, string name) => Path.Combine(Golden(), manifest, name + ".json");

    public static TheoryData<string> Samples
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var (name, _) in StoredFormatSamples.Events) data.Add(name);
            data.Add("snapshot");
            return data;
        }
    }

    private static object Sample(string name) =>
        name == "snapshot" ? StoredFormatSamples.Snapshot() : StoredFormatSamples.Events.Single(e => e.Name == name).Event;

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_written_record_has_the_bytes_of_its_golden_file(string name)
    {
        var sample = Sample(name);
        var manifest = _serializer.Manifest(sample);
        var bytes = _serializer.ToBinary(sample);
        var file = GoldenFile(manifest, name);
        if (!File.Exists(file) && Environment.GetEnvironmentVariable("HPT_APPROVE_STORED_FORMATS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, bytes);
        }
        Assert.True(File.Exists(file), $"no golden file {file} for {manifest}: a new stored format needs its approved bytes " +
                                       "(run once with HPT_APPROVE_STORED_FORMATS=1, review, commit)");
        var golden = File.ReadAllBytes(file);
        Assert.True(golden.AsSpan().SequenceEqual(bytes),
            $"the stored bytes of {manifest} changed: journals written by earlier builds hold the old bytes. Keep {manifest} as it is " +
            $"and write the change under a new manifest, with a reader for {manifest}.\n" +
            $"golden:  {Encoding.UTF8.GetString(golden)}\nwritten: {Encoding.UTF8.GetString(bytes)}");
    }

    [Fact]
    public void Every_manifest_this_build_reads_has_golden_files_that_read_and_write_back()
    {
        foreach (var manifest in M.Read)
        {
            var files = Directory.Exists(Path.Combine(Golden(), manifest)) ? Directory.GetFiles(Path.Combine(Golden(), manifest), "*.json") : [];
            Assert.True(files.Length > 0, $"no golden file for {manifest}: every format a build reads keeps a sample of its bytes");
            foreach (var file in files)
            {
                var read = _serializer.FromBinary(File.ReadAllBytes(file), manifest);
                // Written manifests write back byte for byte; older ones are written in the current format.
                var again = _serializer.ToBinary(read);
                if (M.Written.Contains(manifest)) Assert.Equal(File.ReadAllBytes(file), again);
                else Assert.NotEqual(manifest, _serializer.Manifest(read));
            }
        }
        Assert.Equal(M.Written.Order(), Directory.GetDirectories(Golden()).Select(Path.GetFileName).Where(M.Written.Contains).Order());
    }

    [Fact]
    public void Group_scored_v1_reads_as_the_same_group_that_v2_writes()
    {
        var v1 = _serializer.FromBinary(File.ReadAllBytes(GoldenFile(M.GroupScoredV1, "group-scored")), M.GroupScoredV1);
        Assert.Equal(M.GroupScoredV2, _serializer.Manifest(v1));
        Assert.Equal(File.ReadAllBytes(GoldenFile(M.GroupScoredV2, "group-scored")), _serializer.ToBinary(v1));
        Assert.Equal(JournalScenario.Describe(StoredFormatSamples.Scored(9, 2)), JournalScenario.Describe((GroupScored)v1));
    }

    [Fact]
    public void Snapshot_v1_reads_with_its_set_aside_prompts_recovered_and_failure_counts_restarted()
    {
        var v1 = (CoordinatorSnapshot)_serializer.FromBinary(File.ReadAllBytes(GoldenFile(M.CoordinatorSnapshotV1, "snapshot")), M.CoordinatorSnapshotV1);
        var sample = StoredFormatSamples.Snapshot();
        Assert.Equal([6L], v1.Current.SetAside);
        Assert.Empty(v1.Current.Failures); // v1 never stored them
        var expected = sample.Current with { Failures = sample.Current.Failures.Clear() };
        Assert.Equal(JournalScenario.Describe(expected), JournalScenario.Describe(v1.Current));
        Assert.Equal(sample.History.Select(JournalScenario.Describe), v1.History.Select(JournalScenario.Describe));
        Assert.Equal(sample.Anchors, v1.Anchors);
        // The format written now keeps both.
        var written = (CoordinatorSnapshot)_serializer.FromBinary(_serializer.ToBinary(sample), M.CoordinatorSnapshotV3);
        Assert.Equal(JournalScenario.Describe(sample.Current), JournalScenario.Describe(written.Current));
        Assert.Equal(1, written.Current.FailuresOf(3));
    }

    [Theory]
    [InlineData("step-recorded")]
    [InlineData("step-recorded-without-gate")]
    public void Step_recorded_v1_reads_its_step_as_the_one_policy_version_that_v2_writes(string name)
    {
        var bytes = File.ReadAllBytes(GoldenFile(M.StepRecordedV1, name));
        // The approved v1 sample holds Step n, PolicyVersion n + 1 and Metrics.Step n: Step is the counter read.
        var stored = System.Text.Json.JsonDocument.Parse(bytes).RootElement;
        var step = stored.GetProperty("Step").GetInt64();
        Assert.Equal(step + 1, stored.GetProperty("PolicyVersion").GetInt64());
        var v1 = (StepRecorded)_serializer.FromBinary(bytes, M.StepRecordedV1);
        Assert.Equal(step, v1.PolicyVersion);
        Assert.Equal(step, v1.Metrics.Step);
        Assert.Equal(M.StepRecordedV2, _serializer.Manifest(v1));
        Assert.Equal(File.ReadAllBytes(GoldenFile(M.StepRecordedV2, name)), _serializer.ToBinary(v1));
        Assert.Equal(JournalScenario.Describe(Sample(name) as StepRecorded ?? throw new InvalidOperationException(name)), JournalScenario.Describe(v1));
    }

    [Fact]
    public void Snapshot_v2_reads_each_states_step_as_its_policy_version_so_every_anchor_keeps_its_state()
    {
        var v2 = (CoordinatorSnapshot)_serializer.FromBinary(File.ReadAllBytes(GoldenFile(M.CoordinatorSnapshotV2, "snapshot")), M.CoordinatorSnapshotV2);
        // The approved v2 sample holds Step n beside PolicyVersion n + 1; its anchors are steps 1 and 2.
        Assert.Equal([0L, 1L, 2L], v2.History.Select(s => s.PolicyVersion));
        Assert.Equal(2, v2.Current.PolicyVersion);
        var history = new CoordinatorHistory(keepAnchors: 2);
        v2.Restore(history);
        Assert.Equal([1L, 2L], history.Anchors.Order());
        Assert.Equal(M.CoordinatorSnapshotV3, _serializer.Manifest(v2));
        Assert.Equal(File.ReadAllBytes(GoldenFile(M.CoordinatorSnapshotV3, "snapshot")), _serializer.ToBinary(v2));
    }

    [Fact]
    public void Step_whose_metrics_name_another_step_is_refused_rather_than_stored_without_that_number()
    {
        var step = StoredFormatSamples.Step(4, withGate: true);
        var e = Assert.Throws<InvalidOperationException>(() => _serializer.ToBinary(step with { Metrics = step.Metrics with { Step = 3 } }));
        Assert.Contains("policy version 4 carries metrics of step 3", e.Message);
    }

    [Fact]
    public void Unknown_manifest_is_refused_naming_the_manifests_this_build_reads()
    {
        var e = Assert.Throws<SerializationException>(() => _serializer.FromBinary("{}"u8.ToArray(), "hpt.group-scored.v9"));
        Assert.Contains("unknown stored record 'hpt.group-scored.v9'", e.Message);
        Assert.Contains(M.GroupScoredV1, e.Message);
    }

    [Fact]
    public void Malformed_record_is_refused_naming_its_manifest()
    {
        var e = Assert.Throws<SerializationException>(() => _serializer.FromBinary("{\"Seq\":\"x\"}"u8.ToArray(), M.PromptIssuedV1));
        Assert.Contains($"stored record '{M.PromptIssuedV1}' is malformed", e.Message);
    }

    /// <summary>
    /// A property added to a message the journal maps would not be stored (the records list their fields): this fails
    /// until the stored record maps it (under a new manifest) or the test names it as not stored.
    /// </summary>
    [Fact]
    public void Every_field_of_a_journaled_message_is_a_field_of_its_stored_record()
    {
        static IEnumerable<string> Data(Type t) =>
            t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null).Select(p => p.Name);

        // The metrics' step is the step's policy version, stored once (StoredStepRecorded.PolicyVersion).
        Assert.Contains(nameof(StoredStepRecorded.PolicyVersion), Data(typeof(StoredStepRecorded)));
        Assert.Empty(Data(typeof(StepMetrics)).Except([nameof(StepMetrics.Step)]).Except(Data(typeof(StoredStepMetrics))));
        Assert.Empty(Data(typeof(StepRecorded)).Except(Data(typeof(StoredStepRecorded))));
        Assert.Empty(Data(typeof(Hpt.Training.Engines.Rollout)).Except(Data(typeof(StoredRollout))));
        // The group is stored flat: the nested messages' fields are the record's own.
        string[] nested = [nameof(GroupScored.Problem), nameof(GroupScored.Verified), nameof(GroupVerified.Group), nameof(RolloutsGenerated.Work)];
        // Named otherwise in the messages, stored under the field names of the approved bytes (StoredGroup maps them).
        var storedAs = new Dictionary<string, string>
        {
            [nameof(RolloutsGenerated.IssueVersion)] = nameof(StoredGroup.Step),
            [nameof(Hpt.Tasks.Problem.Id)] = nameof(StoredGroup.ProblemId),
        };
        var group = Data(typeof(GroupScored)).Concat(Data(typeof(Hpt.Tasks.Problem))).Concat(Data(typeof(GroupVerified)))
            .Concat(Data(typeof(RolloutsGenerated))).Concat(Data(typeof(PromptWork))).Except(nested).Select(n => storedAs.GetValueOrDefault(n, n));
        Assert.Empty(group.Except(Data(typeof(StoredGroup))));
        string[] notStored = [];
        Assert.Empty(Data(typeof(CoordinatorState)).Except(Data(typeof(StoredState))).Except(notStored));
    }
}
