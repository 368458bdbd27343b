using Hpt.Training.Engines;

namespace Hpt.Training.Tests.Engines;

public sealed class WeightFileTests
{
    private static readonly WeightFile File = new(3, "policy-v00000003.safetensors", new string('b', 64), 10);

    private sealed class RecordingReader : IWeightFileReader
    {
        public List<WeightFile> Read { get; } = [];

        public PolicySnapshot ReadVerified(WeightFile file)
        {
            lock (Read) Read.Add(file);
            return new PolicySnapshot(file.Version, new VerifiedWeightBytes([1, 2, 3], file.Sha256));
        }
    }

    [Fact]
    public async Task A_weight_file_prepares_itself_through_the_nodes_weights_directory_and_in_memory_weights_need_nothing()
    {
        var reader = new RecordingReader();
        var prepared = await new PolicySnapshot(3, File).PrepareAsync(reader);
        Assert.Equal(3, prepared.Version);
        Assert.Equal(3, Assert.IsType<VerifiedWeightBytes>(prepared.Weights).Bytes);
        Assert.Equal([File], reader.Read);

        var bytes = new PolicySnapshot(4, new VerifiedWeightBytes([9], "x"));
        var same = bytes.PrepareAsync(reader);
        Assert.True(same.IsCompletedSuccessfully); // the worker loads it at once
        Assert.Same(bytes.Weights, (await same).Weights);
        Assert.Single(reader.Read);
    }

    [Fact]
    public async Task A_weight_file_without_a_weights_directory_fails_preparation_naming_the_file_and_the_key()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new PolicySnapshot(3, File).PrepareAsync(files: null));
        Assert.Contains("policy-v00000003.safetensors", error.Message);
        Assert.Contains("hpt.cluster.weights-dir", error.Message);
    }

    [Fact]
    public void Only_a_weight_file_can_cross_nodes_and_it_crosses_as_itself()
    {
        IPolicyWeights file = File;
        Assert.Same(File, file.File);
        Assert.Null(((IPolicyWeights)new VerifiedWeightBytes([1], "x")).File);
        Assert.Contains("policy-v00000003.safetensors", File.ToString()); // and prints without recursing into itself
    }
}
