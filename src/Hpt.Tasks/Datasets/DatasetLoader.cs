using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet.Serialization;

namespace Hpt.Tasks.Datasets;

/// <summary>
/// Loads problems from JSON arrays, JSONL and Parquet files through a <see cref="FieldMapping"/>. A row that cannot
/// be read or mapped fails with its file and line (row) number, or is skipped and counted, per
/// <see cref="DatasetLoadOptions.BadRows"/>.
/// </summary>
public static class DatasetLoader
{
    public static DatasetLoadResult Load(string path, DatasetLoadOptions options) =>
        LoadAsync(path, options).GetAwaiter().GetResult();

    public static async Task<DatasetLoadResult> LoadAsync(string path, DatasetLoadOptions options, CancellationToken cancellationToken = default)
    {
        var format = options.Format == DatasetFormat.Auto ? FormatOf(path) : options.Format;
        var rows = format switch
        {
            DatasetFormat.Jsonl => JsonlRows(path),
            DatasetFormat.Json => JsonRows(path),
            DatasetFormat.Parquet => await ParquetRows(path, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentException($"unsupported format {format}"),
        };
        var problems = new List<Problem>();
        var reasons = new List<string>();
        var name = Path.GetFileName(path);
        foreach (var (line, read) in rows)
        {
            if (options.Limit is { } limit && problems.Count >= limit) break;
            try
            {
                var row = read();
                problems.Add(RowMapper.Map(row, options.Mapping, $"{name}:{line}"));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                if (options.BadRows == BadRowPolicy.Fail) throw new DatasetException(path, line, e.Message);
                reasons.Add($"{path}:{line}: {e.Message}");
            }
        }
        return new DatasetLoadResult(problems, reasons.Count, reasons);
    }

    /// <summary>
    /// The preset that fits the file's first row (<see cref="FieldMappingDetector"/>); a file whose first row fits
    /// none fails naming the fields it has.
    /// </summary>
    public static async Task<FieldMapping> DetectMappingAsync(string path, DatasetFormat format = DatasetFormat.Auto,
        CancellationToken cancellationToken = default)
    {
        var resolved = format == DatasetFormat.Auto ? FormatOf(path) : format;
        var rows = resolved switch
        {
            DatasetFormat.Jsonl => JsonlRows(path),
            DatasetFormat.Json => JsonRows(path),
            DatasetFormat.Parquet => await ParquetRows(path, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentException($"unsupported format {resolved}"),
        };
        foreach (var (line, read) in rows)
        {
            JsonObject first;
            try
            {
                first = read();
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                throw new DatasetException(path, line, $"cannot read the first row to pick a field mapping: {e.Message}");
            }
            return FieldMappingDetector.Detect(first)
                   ?? throw new DatasetException(path, line,
                       $"no field-mapping preset fits the first row (fields: {string.Join(", ", first.Select(kv => kv.Key))}); " +
                       $"name one ({string.Join(", ", FieldMapping.All.Select(m => m.Name))}) or give the field names");
        }
        throw new DatasetException(path, 1, "the file has no rows");
    }

    public static DatasetFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jsonl" or ".ndjson" => DatasetFormat.Jsonl,
        ".json" => DatasetFormat.Json,
        ".parquet" => DatasetFormat.Parquet,
        var ext => throw new ArgumentException($"cannot tell the format of '{path}' from '{ext}'; give it explicitly"),
    };

    private static IEnumerable<(int Line, Func<JsonObject> Read)> JsonlRows(string path)
    {
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Trim().Length == 0) continue;
            yield return (line, () => JsonNode.Parse(text) as JsonObject ?? throw new FormatException("line is not a JSON object"));
        }
    }

    /// <summary>A JSON array of objects; the "line" is the element's line in the file, for error messages.</summary>
    private static IEnumerable<(int Line, Func<JsonObject> Read)> JsonRows(string path)
    {
        var bytes = File.ReadAllBytes(path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new DatasetException(path, (int)(e.LineNumber ?? 0) + 1, $"invalid JSON: {e.Message}");
        }
        if (root is not JsonArray array) throw new DatasetException(path, 1, "expected a JSON array of objects");
        var lineStarts = LineOfEachElement(bytes, array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var element = array[i];
            yield return (lineStarts[i], () => element as JsonObject ?? throw new FormatException($"element {i} is not an object"));
        }
    }

    private static int[] LineOfEachElement(byte[] bytes, int count)
    {
        var lines = new int[count];
        var reader = new Utf8JsonReader(bytes);
        var index = 0;
        var line = 1;
        var scanned = 0;
        while (reader.Read() && index < count)
        {
            if (reader.CurrentDepth != 1 || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray
                    or JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                continue;
            for (; scanned < reader.TokenStartIndex; scanned++)
                if (bytes[scanned] == (byte)'\n') line++;
            lines[index++] = line;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
        }
        return lines;
    }

    private static async Task<IEnumerable<(int Line, Func<JsonObject> Read)>> ParquetRows(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var result = await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        return result.Data.Select((row, i) => (i + 1, (Func<JsonObject>)(() => ToJson(row)))).ToList();
    }

    private static JsonObject ToJson(IDictionary<string, object> row)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in row) obj[key] = ToNode(value);
        return obj;
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        IDictionary<string, object> d => ToJson(d),
        IDictionary d => ToJson(d.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => d[k]!)),
        IEnumerable e => new JsonArray(e.Cast<object?>().Select(ToNode).ToArray()),
        IConvertible c => JsonValue.Create(c.ToDouble(System.Globalization.CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };
}
