using System.Text;
using Hpt.Model.Checkpoints;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Checkpoints;

public sealed class SafetensorsTests
{
    private static void AssertSameWeights(CausalLM a, CausalLM b)
    {
        var wa = a.Weights();
        var wb = b.Weights();
        Assert.Equal(wa.Count, wb.Count);
        for (var i = 0; i < wa.Count; i++)
        {
            Assert.Equal(wa[i].Name, wb[i].Name);
            Assert.True(TestModels.Bytes(wa[i].Param).AsSpan().SequenceEqual(TestModels.Bytes(wb[i].Param)), $"{wa[i].Name} differs");
        }
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("bf16")]
    public void Save_then_load_is_bit_exact(string dtype)
    {
        var dir = TestModels.TempDir();
        using var saved = TestModels.Tiny(seed: 1, dtype: dtype);
        saved.SavePretrained(dir);
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
        using var loaded = CausalLM.FromPretrained(dir, new ModelOptions("cpu", dtype));
        AssertSameWeights(saved, loaded);
        using var other = TestModels.Tiny(seed: 2, dtype: dtype);
        Assert.NotEqual(TestModels.Bytes(saved.Weights()[0].Param), TestModels.Bytes(other.Weights()[0].Param));
    }

    [Fact]
    public void Header_is_8_byte_aligned_and_readable_by_the_reference_layout()
    {
        var dir = TestModels.TempDir();
        var path = Path.Combine(dir, "t.safetensors");
        using (var scope = NewDisposeScope())
            SafetensorsFile.Write(path, [("a", arange(6, ScalarType.Float32).view(2, 3)), ("b", ones(3, ScalarType.BFloat16))]);
        var bytes = File.ReadAllBytes(path);
        var n = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, n % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Contains("\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", header);
        Assert.Contains("\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[24,30]}", header);
        Assert.Equal(8 + n + 30, bytes.Length);
        Assert.Equal(5f, BitConverter.ToSingle(bytes, (int)(8 + n + 20)));
    }

    [Fact]
    public void Bf16_on_disk_loads_into_an_fp32_model_exactly()
    {
        var dir = TestModels.TempDir();
        using var bf = TestModels.Tiny(seed: 4, dtype: "bf16");
        bf.SavePretrained(dir);
        using var f32 = CausalLM.FromPretrained(dir, ModelOptions.Cpu);
        foreach (var ((_, a), (_, b)) in bf.Weights().Zip(f32.Weights()))
        {
            Assert.Equal(ScalarType.Float32, b.dtype);
            Assert.Equal(0f, TestModels.MaxAbsDiff(a, b));
        }
        // and fp32 saved as bf16 on disk reads back as the rounded values
        var dir2 = TestModels.TempDir();
        using var full = TestModels.Tiny(seed: 4);
        full.SavePretrained(dir2, diskDType: "bf16");
        using var back = CausalLM.FromPretrained(dir2);
        using var scope = NewDisposeScope();
        var w = full.Weights()[0].Param;
        Assert.Equal(0f, TestModels.MaxAbsDiff(w.to(ScalarType.BFloat16).to(ScalarType.Float32), back.Weights()[0].Param));
    }

    [Fact]
    public void Sharded_checkpoint_loads_through_the_index()
    {
        var dir = TestModels.TempDir();
        using var m = TestModels.Tiny(seed: 7);
        m.SavePretrained(dir, maxShardBytes: 40_000);
        var shards = Directory.GetFiles(dir, "model-*-of-*.safetensors");
        Assert.True(shards.Length >= 3, $"expected several shards, got {shards.Length}");
        Assert.True(File.Exists(Path.Combine(dir, SafetensorsCheckpoint.IndexFileName)));
        Assert.False(File.Exists(Path.Combine(dir, SafetensorsCheckpoint.SingleFileName)));
        using var loaded = CausalLM.FromPretrained(dir);
        AssertSameWeights(m, loaded);
    }

    [Fact]
    public void Tensors_larger_than_one_span_chunk_round_trip()
    {
        var old = SafetensorsFile.ChunkBytes;
        try
        {
            SafetensorsFile.ChunkBytes = 100; // forces the narrowed-view path used for > 1 GiB tensors
            var dir = TestModels.TempDir();
            using var m = TestModels.Tiny(seed: 8);
            m.SavePretrained(dir);
            using var fresh = TestModels.Tiny(seed: 9);
            SafetensorsCheckpoint.LoadInto(fresh, dir);
            AssertSameWeights(m, fresh);
        }
        finally { SafetensorsFile.ChunkBytes = old; }
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var dir = TestModels.TempDir();
        using var m = TestModels.Tiny();
        SafetensorsFile.Write(Path.Combine(dir, "model.safetensors"),
            m.Weights().Where(w => w.Name != "model.layers.1.mlp.up_proj.weight").Select(w => (w.Name, (Tensor)w.Param)));
        var e = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.LoadInto(TestModels.Tiny(), dir));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.weight'", e.Message);
    }

    [Fact]
    public void A_shape_mismatch_names_tensor_file_and_both_shapes()
    {
        var dir = TestModels.TempDir();
        using var big = CausalLM.Create(TestModels.TinyConfig(vocab: 70));
        big.SavePretrained(dir);
        using var small = TestModels.Tiny();
        var e = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.LoadInto(small, dir));
        Assert.Contains("'model.embed_tokens.weight'", e.Message);
        Assert.Contains("[70, 64]", e.Message);
        Assert.Contains("[61, 64]", e.Message);
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_reported_with_the_file_and_tensor()
    {
        var dir = TestModels.TempDir();
        using var m = TestModels.Tiny();
        m.SavePretrained(dir);
        var path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.LoadInto(TestModels.Tiny(), dir));
        Assert.Contains("truncated", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("lm_head.weight", e.Message); // the last tensor lost its tail

        File.WriteAllBytes(path, bytes[..5]);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
        File.WriteAllBytes(path, bytes[..200]);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void A_bad_header_is_reported()
    {
        var dir = TestModels.TempDir();
        var path = Path.Combine(dir, "bad.safetensors");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes("this is not a safetensors file at all"));
        Assert.Contains("bad header length", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);

        var json = Encoding.UTF8.GetBytes("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 12]}}");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json, .. new byte[16]]);
        var e = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("data_offsets", e.Message);

        json = Encoding.UTF8.GetBytes("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], ");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json]);
        Assert.Contains("bad header JSON", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);

        json = Encoding.UTF8.GetBytes("{\"w\": {\"dtype\": \"Q4\", \"shape\": [2], \"data_offsets\": [0, 1]}}");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json, 0]);
        Assert.Contains("unsupported dtype 'Q4'", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void Unexpected_tensors_fail_in_strict_mode_only()
    {
        var dir = TestModels.TempDir();
        using var m = TestModels.Tiny();
        using var scope = NewDisposeScope();
        SafetensorsFile.Write(Path.Combine(dir, "model.safetensors"),
            m.Weights().Select(w => (w.Name, (Tensor)w.Param)).Append(("model.layers.9.mlp.up_proj.weight", zeros(2))));
        Assert.Contains("model.layers.9.mlp.up_proj.weight", Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.LoadInto(TestModels.Tiny(), dir)).Message);
        using var lenient = TestModels.Tiny(seed: 3);
        SafetensorsCheckpoint.LoadInto(lenient, dir, strict: false);
        AssertSameWeights(m, lenient);
    }

    [Fact]
    public void A_missing_checkpoint_folder_or_shard_is_named()
    {
        var dir = TestModels.TempDir();
        Assert.Contains("neither", Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.LoadInto(TestModels.Tiny(), dir)).Message);
        File.WriteAllText(Path.Combine(dir, SafetensorsCheckpoint.IndexFileName), "{\"weight_map\": {\"model.norm.weight\": \"model-00001-of-00002.safetensors\"}}");
        var e = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.LoadInto(TestModels.Tiny(), dir));
        Assert.Contains("model-00001-of-00002.safetensors", e.Message);
    }
}
