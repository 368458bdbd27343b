using Hpt.Actors.Cluster;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Tests.Cluster;

public sealed class ClusterSettingsTests
{
    [Fact]
    public void The_reference_node_holds_every_role_and_starts_its_own_cluster()
    {
        var settings = ClusterSettings.Create(HptConfig.Reference);
        Assert.Equal(["learner", "rollout", "verifier"], settings.Roles);
        Assert.Empty(settings.SeedNodes);
        Assert.Equal(8L * 1024 * 1024, settings.MaximumFrameSize);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.StableAfter);
        Assert.Equal(Path.Combine("runs", "x", "weights"), settings.ResolveWeightsDirectory(Path.Combine("runs", "x")));
    }

    [Fact]
    public void A_learner_node_carries_the_verifier_role_unless_told_otherwise()
    {
        var learner = ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.roles=[learner]"]));
        Assert.Equal(["learner", "verifier"], learner.PlayedRoles);
        var alone = ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.roles=[learner]", "cluster.learner-hosts-verifiers=false"]));
        Assert.Equal(["learner"], alone.PlayedRoles);
    }

    private static IReadOnlyList<string> Admission(params string[] overrides) =>
        ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.roles=[learner]", "run.dir=\"runs/admission\"", .. overrides])).AdmissionRoles;

    [Fact]
    public void Nodes_carry_their_version_and_settings_fingerprints_as_roles_and_learner_nodes_their_runs()
    {
        var learner = Admission();
        Assert.Equal(learner, ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.roles=[learner]", "run.dir=\"runs/admission\""])).AdmissionRoles);
        Assert.Contains(learner, r => r.StartsWith(NodeAdmission.VersionPrefix, StringComparison.Ordinal));
        Assert.Contains(learner, r => r.StartsWith(NodeAdmission.RunPrefix, StringComparison.Ordinal));
        Assert.Contains(ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.roles=[learner]"])).EffectiveRoles, r => learner.Contains(r));
        var rollout = ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.roles=[rollout]", "cluster.seed-nodes=[\"akka.tcp://hpt@127.0.0.1:4053\"]"]));
        Assert.DoesNotContain(rollout.AdmissionRoles, r => r.StartsWith(NodeAdmission.RunPrefix, StringComparison.Ordinal));
        Assert.Null(NodeAdmission.Mismatch(learner, rollout.AdmissionRoles)); // a rollout node has no run to compare
    }

    [Theory]
    [InlineData("rollout.max-new-tokens=12", "generation settings")]
    [InlineData("rollout.temperature=0.5", "generation settings")]
    [InlineData("model.tiny.hidden-size=40", "generation settings")]
    [InlineData("cluster.maximum-frame-size=4MiB", "generation settings")]
    [InlineData("run.id=another", "hpt.run.id")]
    [InlineData("pipeline.prompts-per-step=3", "hpt.run.id")]
    public void A_node_whose_generation_settings_or_run_differ_does_not_match(string change, string named)
    {
        var mismatch = NodeAdmission.Mismatch(Admission(), Admission(change));
        Assert.NotNull(mismatch);
        Assert.Contains(named, mismatch);
    }

    private static AdmissionSettings AdmissionEntries(params string[] overrides) =>
        ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.roles=[learner]", "run.dir=\"runs/admission\"", .. overrides])).Admission;

    [Theory]
    [InlineData("run.id=another", "hpt.run.id = 'admission' here, 'another' there")]
    [InlineData("rollout.max-new-tokens=12", "hpt.rollout.max-new-tokens = ")]
    [InlineData("pipeline.prompts-per-step=3", "hpt.pipeline.prompts-per-step = ")]
    public void The_settings_behind_the_fingerprints_name_each_differing_key_with_both_values(string change, string named)
    {
        var differences = AdmissionEntries().Differences(AdmissionEntries(change));
        var difference = Assert.Single(differences);
        Assert.StartsWith(named, difference);
        Assert.EndsWith($"'{change.Split('=')[1]}' there", difference);
        Assert.Empty(AdmissionEntries().Differences(AdmissionEntries()));
    }

    [Fact]
    public void A_rollout_node_compares_only_the_generation_settings_with_a_learner()
    {
        var rollout = ClusterSettings.Create(HptConfig.Load(overrides:
            ["cluster.roles=[rollout]", "cluster.seed-nodes=[\"akka.tcp://hpt@127.0.0.1:4053\"]", "rollout.max-new-tokens=12"])).Admission;
        Assert.Null(rollout.Run);
        var difference = Assert.Single(AdmissionEntries("run.id=another").Differences(rollout));
        Assert.StartsWith("hpt.rollout.max-new-tokens = ", difference);
    }

    [Fact]
    public void A_model_folder_is_compared_by_its_files_not_by_where_each_machine_mounts_it()
    {
        var root = Directory.CreateTempSubdirectory("hpt-admission-model-").FullName;
        try
        {
            string Folder(string name, string config)
            {
                var folder = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
                File.WriteAllText(Path.Combine(folder, "config.json"), config);
                File.WriteAllText(Path.Combine(folder, "tokenizer.json"), "{}");
                return folder;
            }
            var here = Folder("a", "{\"hidden_size\": 64}");
            var there = Folder("b", "{\"hidden_size\": 64}");
            var other = Folder("c", "{\"hidden_size\": 96}");
            // Rollout nodes (no run fingerprint: a learner's run.json does name the path).
            IReadOnlyList<string> Rollout(string folder) => ClusterSettings.Create(HptConfig.Load(overrides:
                ["cluster.roles=[rollout]", "cluster.seed-nodes=[\"akka.tcp://hpt@127.0.0.1:4053\"]", $"model.path=\"{folder}\""])).AdmissionRoles;
            Assert.Null(NodeAdmission.Mismatch(Rollout(here), Rollout(there)));
            Assert.Contains("generation settings", NodeAdmission.Mismatch(Rollout(here), Rollout(other)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("rollout.devices=[\"cpu\", \"cpu\"]")]
    [InlineData("pipeline.total-steps=500")]
    [InlineData("cluster.port=4999")]
    public void Settings_that_may_differ_between_nodes_keep_them_matching(string change) =>
        Assert.Null(NodeAdmission.Mismatch(Admission(), Admission(change)));

    [Theory]
    [InlineData("cluster.roles=[trainer]", "hpt.cluster.roles")]
    [InlineData("cluster.roles=[rollout]", "hpt.cluster.seed-nodes")]
    [InlineData("cluster.seed-nodes=[\"akka.tcp://other@127.0.0.1:4053\"]", "hpt.cluster.seed-nodes")]
    [InlineData("cluster.maximum-frame-size=1000b", "hpt.cluster.maximum-frame-size")]
    [InlineData("cluster.majority-role=gpu", "hpt.cluster.majority-role")]
    public void Bad_cluster_settings_name_their_key(string assignment, string key)
    {
        var e = Assert.Throws<SettingsException>(() => ClusterSettings.Create(HptConfig.Load(overrides: [assignment])));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void A_node_that_reaches_beyond_loopback_refuses_to_start_without_tls_unless_insecure()
    {
        var e = Assert.Throws<SettingsException>(() => ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.hostname=10.0.0.5"])));
        Assert.Contains("hpt.cluster.tls.certificate", e.Message);
        Assert.Contains("hpt.cluster.insecure", e.Message);
        var joining = Assert.Throws<SettingsException>(() => ClusterSettings.Create(HptConfig.Load(overrides:
            ["cluster.roles=[rollout]", "cluster.seed-nodes=[\"akka.tcp://hpt@10.0.0.1:4053\"]"])));
        Assert.Contains("hpt.cluster.tls.certificate", joining.Message);
        var allowed = ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.hostname=10.0.0.5", "cluster.insecure=on"]));
        Assert.Null(allowed.Tls);
        Assert.True(ClusterSettings.Create(HptConfig.Reference).IsLoopbackOnly());
    }

    [Fact]
    public void With_tls_the_node_needs_both_files_and_ssl_seed_addresses()
    {
        var dir = Directory.CreateTempSubdirectory("hpt-tls-settings-").FullName;
        try
        {
            var tls = TestCertificates.Create(dir, "hpt-cluster");
            var half = Assert.Throws<SettingsException>(() => ClusterSettings.Create(HptConfig.Load(overrides: [$"cluster.tls.certificate=\"{tls.Certificate}\""])));
            Assert.Contains("hpt.cluster.tls.key", half.Message);
            string[] both = [$"cluster.tls.certificate=\"{tls.Certificate}\"", $"cluster.tls.key=\"{tls.Key}\""];
            var plainSeed = Assert.Throws<SettingsException>(() => ClusterSettings.Create(HptConfig.Load(overrides:
                [.. both, "cluster.roles=[rollout]", "cluster.seed-nodes=[\"akka.tcp://hpt@10.0.0.1:4053\"]"])));
            Assert.Contains("akka.ssl.tcp://hpt@", plainSeed.Message);
            var settings = ClusterSettings.Create(HptConfig.Load(overrides:
                [.. both, "cluster.hostname=10.0.0.5", "cluster.roles=[rollout]", "cluster.seed-nodes=[\"akka.ssl.tcp://hpt@10.0.0.1:4053\"]"]));
            Assert.NotNull(settings.Tls);
            Assert.True(ClusterConfig.Build(settings).GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
            var missing = Assert.Throws<SettingsException>(() => ClusterTls.LoadCertificate(settings.Tls! with { Key = Path.Combine(dir, "nope.key") }));
            Assert.Contains("hpt.cluster.tls.key", missing.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_akka_configuration_has_the_downing_frame_size_and_serialization_lock_down()
    {
        var config = ClusterConfig.Build(ClusterSettings.Default with { Roles = ["rollout"], SeedNodes = ["akka.tcp://hpt@10.0.0.1:4053"], MaximumFrameSize = 4_000_000 });
        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.Equal(4_000_000, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("learner", config.GetString("akka.cluster.split-brain-resolver.keep-majority.role"));
        Assert.Equal(["akka.tcp://hpt@10.0.0.1:4053"], config.GetStringList("akka.cluster.seed-nodes"));
        Assert.False(config.GetBoolean("akka.actor.serialization-settings.allow-unregistered-types"));
        Assert.Contains("RefusingJsonSerializer", config.GetString("akka.actor.serializers.json"));
        Assert.Equal("hpt-remote", config.GetString("akka.actor.serialization-bindings.\"Hpt.Actors.Protocol.RequestWork, Hpt.Actors\""));
    }
}
