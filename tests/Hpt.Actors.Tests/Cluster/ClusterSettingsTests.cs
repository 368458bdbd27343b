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
        Assert.Equal(32L * 1024 * 1024, settings.MaximumFrameSize);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.StableAfter);
        Assert.Equal(Path.Combine("runs", "x", "weights"), settings.ResolveWeightsDirectory(Path.Combine("runs", "x")));
    }

    [Fact]
    public void A_learner_node_carries_the_verifier_role_unless_told_otherwise()
    {
        var learner = ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.roles=[learner]"]));
        Assert.Equal(["learner", "verifier"], learner.EffectiveRoles);
        var alone = ClusterSettings.Create(HptConfig.Load(overrides: ["cluster.roles=[learner]", "cluster.learner-hosts-verifiers=false"]));
        Assert.Equal(["learner"], alone.EffectiveRoles);
    }

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
    public void The_akka_configuration_has_the_downing_frame_size_and_serialization_lock_down()
    {
        var config = ClusterConfig.Build(new ClusterSettings { Roles = ["rollout"], SeedNodes = ["akka.tcp://hpt@10.0.0.1:4053"], MaximumFrameSize = 4_000_000 });
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
