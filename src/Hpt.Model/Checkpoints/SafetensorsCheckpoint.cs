using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Checkpoints;

/// <summary>
/// Model-level checkpoint IO in the Hugging Face layout: <c>model.safetensors</c>, or shards listed by
/// <c>model.safetensors.index.json</c> (<c>weight_map</c>: tensor name to shard file). Tensors are matched by name to
/// <see cref="nn.Module.named_parameters"/> and converted to each parameter's dtype and device.
/// </summary>
public static class SafetensorsCheckpoint
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>
    /// Loads every parameter of <paramref name="module"/> from a folder (single file or sharded index) or one .safetensors file.
    /// Missing tensors and shape mismatches throw <see cref="CheckpointException"/> naming tensor and file; with
    /// <paramref name="strict"/>, so do tensors the model does not have (except Hugging Face's derived
    /// <c>rotary_emb.inv_freq</c> and a redundant <c>lm_head.weight</c> next to tied embeddings).
    /// </summary>
    public static void LoadInto(nn.Module module, string folderOrFile, bool strict = true)
    {
        var (weightMap, label) = ResolveFiles(folderOrFile);
        var open = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            SafetensorsFile FileFor(string path)
            {
                if (!open.TryGetValue(path, out var f)) open[path] = f = SafetensorsFile.Open(path);
                return f;
            }

            var parameters = module.named_parameters().ToList();
            var wanted = new HashSet<string>(parameters.Select(p => p.name), StringComparer.Ordinal);
            foreach (var (name, p) in parameters)
            {
                if (!weightMap.TryGetValue(name, out var path))
                    throw new CheckpointException($"checkpoint {label}: missing tensor '{name}' (shape [{string.Join(", ", p.shape)}])");
                var file = FileFor(path);
                if (!file.Entries.ContainsKey(name))
                    throw new CheckpointException($"checkpoint {label}: missing tensor '{name}' in {path}");
                file.ReadInto(name, p);
            }
            if (strict)
            {
                var tied = !wanted.Contains("lm_head.weight") && wanted.Contains("model.embed_tokens.weight");
                var extra = weightMap.Keys.Where(n => !wanted.Contains(n) && !n.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal)
                                                     && !(tied && n == "lm_head.weight")).Take(5).ToList();
                if (extra.Count > 0)
                    throw new CheckpointException($"checkpoint {label}: tensors the model does not have: {string.Join(", ", extra)} (wrong config.json?)");
            }
        }
        finally
        {
            foreach (var f in open.Values) f.Dispose();
        }
    }

    /// <summary>Tensor name to file path, from an index, a folder's single file, or a file path.</summary>
    private static (Dictionary<string, string> Map, string Label) ResolveFiles(string folderOrFile)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(folderOrFile))
        {
            using var f = SafetensorsFile.Open(folderOrFile);
            foreach (var name in f.Entries.Keys) map[name] = folderOrFile;
            return (map, folderOrFile);
        }
        if (!Directory.Exists(folderOrFile)) throw new CheckpointException($"checkpoint not found: {folderOrFile}");
        var index = Path.Combine(folderOrFile, IndexFileName);
        if (File.Exists(index))
        {
            JsonObject? weightMap;
            try { weightMap = JsonNode.Parse(File.ReadAllText(index))?["weight_map"]?.AsObject(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            { throw new CheckpointException($"checkpoint index {index}: bad JSON: {e.Message}", e); }
            if (weightMap is null) throw new CheckpointException($"checkpoint index {index}: no \"weight_map\" object");
            foreach (var (name, file) in weightMap)
            {
                var path = Path.Combine(folderOrFile, file?.GetValue<string>() ?? throw new CheckpointException($"checkpoint index {index}: tensor '{name}' maps to null"));
                if (!File.Exists(path)) throw new CheckpointException($"checkpoint index {index}: shard {path} (for tensor '{name}') does not exist");
                map[name] = path;
            }
            return (map, index);
        }
        var single = Path.Combine(folderOrFile, SingleFileName);
        if (File.Exists(single)) return ResolveFiles(single);
        throw new CheckpointException($"checkpoint {folderOrFile}: neither {SingleFileName} nor {IndexFileName} found");
    }

    /// <summary>
    /// Saves all parameters into <paramref name="folder"/>: one <c>model.safetensors</c>, or Hugging Face-named shards of
    /// at most <paramref name="maxShardBytes"/> each (a tensor never splits) plus the index.
    /// </summary>
    public static void Save(nn.Module module, string folder, ScalarType? diskDType = null, long maxShardBytes = long.MaxValue)
    {
        Directory.CreateDirectory(folder);
        var tensors = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        long SizeOnDisk(Tensor t) => t.numel() * (diskDType is { } d && t.is_floating_point() ? SafetensorsDType.SizeOf(d) : t.ElementSize);

        var shards = new List<List<(string, Tensor)>> { new() };
        long current = 0;
        foreach (var item in tensors)
        {
            var size = SizeOnDisk(item.Item2);
            if (current > 0 && current + size > maxShardBytes) { shards.Add([]); current = 0; }
            shards[^1].Add(item);
            current += size;
        }
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (shards.Count == 1)
        {
            SafetensorsFile.Write(Path.Combine(folder, SingleFileName), shards[0], diskDType, meta);
            File.Delete(Path.Combine(folder, IndexFileName)); // a stale index would win over the fresh single file
            return;
        }
        var weightMap = new JsonObject();
        for (var i = 0; i < shards.Count; i++)
        {
            var file = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafetensorsFile.Write(Path.Combine(folder, file), shards[i], diskDType, meta);
            foreach (var (name, _) in shards[i]) weightMap[name] = file;
        }
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = tensors.Sum(t => SizeOnDisk(t.Item2)) },
            ["weight_map"] = weightMap,
        };
        File.WriteAllText(Path.Combine(folder, IndexFileName), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
