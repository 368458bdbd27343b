using System.Security.Cryptography;
using Hpt.Actors.Cluster;
using Hpt.Training.Engines;
using Hpt.Actors.Tests.Cluster;
using Hpt.Actors.Tests.Doubles;
using Hpt.Actors.WeightPublishing;

namespace Hpt.Actors.Tests.WeightPublishing;

public sealed class SharedWeightStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"hpt-weights-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Publish_renames_a_complete_file_into_place_with_its_checksum_and_leaves_no_temporary_files()
    {
        var store = new SharedWeightStore(_dir, keep: 3);
        string? tempPath = null;
        var file = store.Publish(7, path =>
        {
            tempPath = path;
            Assert.False(File.Exists(Path.Combine(_dir, SharedWeightStore.FileNameOf(7)))); // not visible while written
            File.WriteAllText(path, "weights v7");
        });

        Assert.Equal(7, file.Version);
        Assert.Equal("policy-v00000007.safetensors", file.FileName);
        Assert.NotEqual(Path.Combine(_dir, file.FileName), tempPath);
        var bytes = File.ReadAllBytes(store.PathOf(file));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.Sha256);
        Assert.Equal(bytes.Length, file.Bytes);
        Assert.Equal(bytes, store.ReadVerified(file));
        Assert.Equal(file, store.Latest());
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Publish_keeps_only_the_newest_versions()
    {
        var store = new SharedWeightStore(_dir, keep: 2);
        for (var v = 0; v < 5; v++) store.Publish(v, path => File.WriteAllText(path, $"v{v}"));
        Assert.Equal([3L, 4L], store.Versions().Order());
        Assert.Equal(2, Directory.EnumerateFiles(_dir, "*.sha256").Count());
    }

    [Fact]
    public void A_file_that_differs_from_its_announced_checksum_is_refused()
    {
        var store = new SharedWeightStore(_dir, keep: 3);
        var file = store.Publish(1, path => File.WriteAllText(path, "weights v1"));
        File.WriteAllText(store.PathOf(file), "weights v1 but torn");
        Assert.Throws<InvalidDataException>(() => store.ReadVerified(file));

        var engine = new FileCheckingRolloutEngine();
        var shared = new SharedWeightsRolloutEngine(engine, store);
        Assert.Throws<InvalidDataException>(() => shared.LoadPolicy(new PolicySnapshot(1, file)));
        Assert.Equal(-1, shared.PolicyVersion); // nothing half-loaded
    }

    [Fact]
    public async Task A_continuous_engine_on_a_cluster_node_stays_continuous_and_loads_only_verified_weights()
    {
        var store = new SharedWeightStore(_dir, keep: 3);
        Assert.IsNotAssignableFrom<IContinuousRolloutEngine>(SharedWeightsRolloutEngine.Wrap(new FileCheckingRolloutEngine(), store));

        var engine = new ScriptedContinuousEngine(capacity: 2, _ => 2);
        var shared = SharedWeightsRolloutEngine.Wrap(engine, store);
        var continuous = Assert.IsAssignableFrom<IContinuousRolloutEngine>(shared);
        Assert.Equal(2, continuous.PromptCapacity);

        var torn = store.Publish(1, path => File.WriteAllText(path, "weights v1"));
        File.WriteAllText(store.PathOf(torn), "weights v1 but torn");
        await Assert.ThrowsAsync<InvalidDataException>(() => shared.PrepareAsync(new PolicySnapshot(1, torn)));
        Assert.Throws<InvalidDataException>(() => shared.LoadPolicy(new PolicySnapshot(1, torn)));
        Assert.Equal(0, shared.PolicyVersion); // nothing half-loaded

        var good = store.Publish(2, path => File.WriteAllText(path, "weights v2"));
        var prepared = await shared.PrepareAsync(new PolicySnapshot(2, good));
        Assert.IsType<VerifiedWeightBytes>(prepared.Weights);
        shared.LoadPolicy(prepared);
        Assert.Equal(2, engine.PolicyVersion);

        continuous.Submit(new RolloutRequest(7, "p", 2));
        Assert.True(continuous.HasWork);
        Assert.Empty(continuous.Step());
        var done = Assert.Single(continuous.Step());
        Assert.Equal(7, done.Request.Seq);
        Assert.All(done.Rollouts, r => Assert.Equal([2L, 2L], r.TokenVersions));
        shared.Dispose();
        Assert.True(engine.Disposed);
    }

    [Fact]
    public void A_node_behind_the_pruned_versions_loads_the_newest_complete_one()
    {
        var store = new SharedWeightStore(_dir, keep: 2);
        var learner = new CountingLearnerEngine();
        using var published = new SharedWeightsLearnerEngine(learner, store, FileCheckingRolloutEngine.Writer(learner));
        var old = published.Snapshot();
        for (var i = 0; i < 3; i++)
        {
            published.Train([Fixtures.RlItem(i, published.PolicyVersion).ForTrainer()]);
            published.Snapshot();
        }
        Assert.DoesNotContain(0L, store.Versions());

        var engine = new FileCheckingRolloutEngine();
        var shared = new SharedWeightsRolloutEngine(engine, store);
        shared.LoadPolicy(old);
        Assert.Equal(3, shared.PolicyVersion);
        Assert.Equal([3L], engine.Loaded);
    }

    [Fact]
    public void The_learner_writes_each_version_once()
    {
        var store = new SharedWeightStore(_dir, keep: 3);
        var learner = new CountingLearnerEngine();
        var writes = 0;
        using var published = new SharedWeightsLearnerEngine(learner, store, path => { writes++; File.WriteAllText(path, "x"); });
        var a = published.Snapshot();
        var b = published.Snapshot();
        Assert.Same(a, b);
        Assert.Equal(1, writes);
        Assert.IsType<WeightFile>(a.Weights);
    }
}
