using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Checkpoints;

/// <summary>One tensor's header entry: dtype, shape and byte range relative to the start of the data section.</summary>
public sealed record SafetensorsEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

/// <summary>
/// Hand-written safetensors reader and writer (the format: u64 LE header length N, N bytes of UTF-8 JSON
/// <c>{name: {dtype, shape, data_offsets}}</c> padded with spaces to a multiple of 8, then raw little-endian bytes).
/// Bytes go straight between the stream and native tensor storage through <c>Tensor.bytes</c>, the fastest path
/// measured in TorchSharp 0.107. Every failure is a <see cref="CheckpointException"/> naming the file (and tensor).
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>Largest span handed to one read/write; a <c>Span</c> cannot exceed 2 GiB (a 7B fp32 embedding does). Tests lower it.</summary>
    internal static long ChunkBytes = 1L << 30;
    private const long MaxHeaderBytes = 100L << 20;

    private readonly Stream stream;
    private readonly long dataStart;

    /// <summary>The file path, or a label for in-memory streams; used in error messages.</summary>
    public string Source { get; }
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafetensorsFile(Stream stream, string source)
    {
        this.stream = stream;
        Source = source;
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors IO assumes a little-endian host");
        var length = stream.Length;
        if (length < 8) throw new CheckpointException($"safetensors {source}: truncated file ({length} bytes; the 8-byte header length is missing)");
        Span<byte> lenBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lenBytes);
        var headerLen = BitConverter.ToInt64(lenBytes);
        if (headerLen <= 0 || headerLen > MaxHeaderBytes)
            throw new CheckpointException($"safetensors {source}: bad header length {headerLen} (not a safetensors file?)");
        if (8 + headerLen > length)
            throw new CheckpointException($"safetensors {source}: truncated file: header needs {headerLen} bytes, file has {length - 8} after the length");
        var header = new byte[headerLen];
        stream.ReadExactly(header);
        dataStart = 8 + headerLen;
        (Entries, Metadata) = ParseHeader(header, length - dataStart, source);
    }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"safetensors file not found: {path}");
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try { return new SafetensorsFile(fs, path); }
        catch { fs.Dispose(); throw; }
    }

    /// <summary>Reads from a stream it then owns (a <see cref="MemoryStream"/> for in-memory weight snapshots).</summary>
    public static SafetensorsFile Open(Stream stream, string label = "<stream>")
    {
        try { return new SafetensorsFile(stream, label); }
        catch { stream.Dispose(); throw; }
    }

    private static (Dictionary<string, SafetensorsEntry>, Dictionary<string, string>) ParseHeader(byte[] header, long dataLength, string source)
    {
        JsonObject root;
        try { root = JsonNode.Parse(header)?.AsObject() ?? throw new CheckpointException($"safetensors {source}: header is not a JSON object"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        { throw new CheckpointException($"safetensors {source}: bad header JSON: {e.Message}", e); }

        var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in root)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject meta) foreach (var (k, v) in meta) metadata[k] = v?.ToString() ?? "";
                continue;
            }
            try
            {
                var obj = node!.AsObject();
                var dtypeName = obj["dtype"]!.GetValue<string>();
                if (!SafetensorsDType.TryParse(dtypeName, out var dtype, out var size))
                    throw new CheckpointException($"safetensors {source}: tensor '{name}' has unsupported dtype '{dtypeName}'");
                var shape = obj["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = obj["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                if (offsets.Length != 2 || shape.Any(d => d < 0))
                    throw new CheckpointException($"safetensors {source}: tensor '{name}' has a malformed shape or data_offsets");
                var bytes = shape.Aggregate(1L, (a, d) => a * d) * size;
                if (offsets[1] - offsets[0] != bytes || offsets[0] < 0)
                    throw new CheckpointException($"safetensors {source}: tensor '{name}' data_offsets [{offsets[0]}, {offsets[1]}] do not hold {dtypeName}[{string.Join(", ", shape)}] ({bytes} bytes)");
                if (offsets[1] > dataLength)
                    throw new CheckpointException($"safetensors {source}: truncated file: tensor '{name}' needs bytes up to {offsets[1]} of the data section, which has only {dataLength}");
                entries[name] = new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
            }
            catch (Exception e) when (e is not CheckpointException)
            { throw new CheckpointException($"safetensors {source}: bad header entry for tensor '{name}': {e.Message}", e); }
        }
        return (entries, metadata);
    }

    public SafetensorsEntry Entry(string name) =>
        Entries.TryGetValue(name, out var e) ? e : throw new CheckpointException($"safetensors {Source}: no tensor '{name}'");

    /// <summary>The tensor as stored (its on-disk dtype), on the CPU. The caller owns it (scopes apply as usual).</summary>
    public Tensor Read(string name)
    {
        var e = Entry(name);
        var t = empty(e.Shape, e.DType, CPU);
        ReadBytes(e, t);
        return t;
    }

    /// <summary>
    /// Copies tensor <paramref name="name"/> into <paramref name="target"/> (a parameter, say), converting dtype and device.
    /// Shapes must match exactly. Same dtype on a contiguous CPU target reads straight into its storage.
    /// </summary>
    public void ReadInto(string name, Tensor target)
    {
        var e = Entry(name);
        if (!e.Shape.SequenceEqual(target.shape))
            throw new CheckpointException($"safetensors {Source}: tensor '{name}' has shape [{string.Join(", ", e.Shape)}]; the model expects [{string.Join(", ", target.shape)}]");
        using var _ = no_grad();
        if (e.DType == target.dtype && target.device_type == DeviceType.CPU && target.is_contiguous())
        {
            ReadBytes(e, target);
            return;
        }
        using var tmp = empty(e.Shape, e.DType, CPU);
        ReadBytes(e, tmp);
        target.copy_(tmp);
    }

    private void ReadBytes(SafetensorsEntry e, Tensor dest)
    {
        stream.Position = dataStart + e.Begin;
        try { ForEachChunk(dest, span => stream.ReadExactly(span)); }
        catch (EndOfStreamException ex) { throw new CheckpointException($"safetensors {Source}: truncated file while reading tensor '{e.Name}'", ex); }
    }

    /// <summary>Visits a contiguous tensor's storage as spans of at most <see cref="ChunkBytes"/> (narrowed views along a flat view).</summary>
    private static void ForEachChunk(Tensor t, SpanAction action)
    {
        var total = t.numel() * t.ElementSize;
        if (total == 0) return;
        if (total <= ChunkBytes) { action(t.bytes); return; }
        using var flat = t.view(-1);
        var perChunk = Math.Max(1, ChunkBytes / t.ElementSize);
        for (long start = 0; start < flat.shape[0]; start += perChunk)
        {
            using var part = flat.narrow(0, start, Math.Min(perChunk, flat.shape[0] - start));
            action(part.bytes);
        }
    }

    private delegate void SpanAction(Span<byte> span);

    /// <summary>
    /// Writes tensors to <paramref name="path"/> (atomically: a temp file renamed over it), optionally converting every
    /// floating-point tensor to <paramref name="diskDType"/>.
    /// </summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, ScalarType? diskDType = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            Write(fs, tensors, diskDType, metadata);
        File.Move(tmp, path, overwrite: true);
    }

    public static void Write(Stream output, IEnumerable<(string Name, Tensor Tensor)> tensors, ScalarType? diskDType = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // The bytes to write: CPU, contiguous, in the disk dtype (only floating tensors are converted).
        var prepared = list.Select(p =>
        {
            var t = p.Tensor.detach();
            if (diskDType is { } d && t.is_floating_point() && t.dtype != d) t = t.to(d);
            if (t.device_type != DeviceType.CPU) t = t.cpu();
            return (p.Name, Tensor: t.contiguous());
        }).ToList();

        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, t) in prepared)
        {
            var bytes = t.numel() * t.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = SafetensorsDType.NameOf(t.dtype),
                ["shape"] = new JsonArray(t.shape.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8; // the reference implementation aligns the data section to 8 bytes
        output.Write(BitConverter.GetBytes((long)padded));
        output.Write(json);
        for (var i = json.Length; i < padded; i++) output.WriteByte((byte)' ');
        foreach (var (_, t) in prepared) ForEachChunk(t, span => output.Write(span));
        output.Flush();
    }

    public void Dispose() => stream.Dispose();
}
