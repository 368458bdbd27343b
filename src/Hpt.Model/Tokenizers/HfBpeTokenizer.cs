using System.Text;
using System.Text.Json;

namespace Hpt.Model.Tokenizers;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> byte-level BPE tokenizer (Qwen2/Qwen2.5/Qwen3, Llama-3): added/special tokens
/// split out first, NFC on the rest (when the file asks for it), the Qwen or Llama-3 pre-tokenizer split, GPT-2 byte-to-
/// unicode mapping, then BPE by merge rank. Only the pieces these families use are supported; anything else in the file
/// fails at load with the unsupported part named. Thread-safe after construction.
/// </summary>
public sealed class HfBpeTokenizer : ITokenizer
{
    private readonly Dictionary<string, int> vocab;
    private readonly string[] idToToken;
    private readonly Dictionary<long, (int Rank, int Merged)> merges; // (left id, right id) -> rank, merged id
    private readonly Dictionary<string, int> added;                    // content -> id
    private readonly HashSet<int> specialIds;
    private readonly Dictionary<char, string[]> addedByFirstChar;       // longest first
    private readonly bool nfc;
    private readonly bool ignoreMerges;
    private readonly BpePreTokenizer preTokenizer;
    private readonly Dictionary<string, int[]> cache = new(StringComparer.Ordinal);
    private readonly Lock cacheLock = new();

    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    public int VocabSize { get; }
    public int EosId { get; }
    public int PadId { get; }
    public int? BosId { get; }
    public IReadOnlyList<int> StopIds { get; }

    /// <summary>
    /// Loads <paramref name="tokenizerJsonPath"/>. EOS/PAD/BOS come from <c>tokenizer_config.json</c> beside it when present,
    /// else from the usual names (&lt;|im_end|&gt; / &lt;|endoftext|&gt; for Qwen, &lt;|eot_id|&gt; / &lt;|begin_of_text|&gt; for Llama-3).
    /// </summary>
    public static HfBpeTokenizer Load(string tokenizerJsonPath)
    {
        if (Directory.Exists(tokenizerJsonPath)) tokenizerJsonPath = Path.Combine(tokenizerJsonPath, "tokenizer.json");
        if (!File.Exists(tokenizerJsonPath)) throw new FileNotFoundException($"tokenizer: {tokenizerJsonPath} not found", tokenizerJsonPath);
        var configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokenizerJsonPath))!, "tokenizer_config.json");
        using var json = JsonDocument.Parse(File.ReadAllBytes(tokenizerJsonPath));
        using var config = File.Exists(configPath) ? JsonDocument.Parse(File.ReadAllBytes(configPath)) : null;
        return new HfBpeTokenizer(json.RootElement, config?.RootElement, tokenizerJsonPath);
    }

    private HfBpeTokenizer(JsonElement root, JsonElement? config, string source)
    {
        var model = root.GetProperty("model");
        if (model.GetProperty("type").GetString() != "BPE") throw Unsupported(source, "model type " + model.GetProperty("type"));
        ignoreMerges = model.TryGetProperty("ignore_merges", out var im) && im.ValueKind == JsonValueKind.True;

        vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in model.GetProperty("vocab").EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();

        added = new Dictionary<string, int>(StringComparer.Ordinal);
        specialIds = [];
        if (root.TryGetProperty("added_tokens", out var addedTokens))
            foreach (var t in addedTokens.EnumerateArray())
            {
                var content = t.GetProperty("content").GetString()!;
                var id = t.GetProperty("id").GetInt32();
                added[content] = id;
                if (t.TryGetProperty("special", out var sp) && sp.ValueKind == JsonValueKind.True) specialIds.Add(id);
            }
        addedByFirstChar = added.Keys.Where(k => k.Length > 0).GroupBy(k => k[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(k => k.Length).ToArray());

        VocabSize = Math.Max(vocab.Values.DefaultIfEmpty(-1).Max(), added.Values.DefaultIfEmpty(-1).Max()) + 1;
        idToToken = new string[VocabSize];
        foreach (var (tok, id) in vocab) idToToken[id] = tok;
        foreach (var (tok, id) in added) idToToken[id] = tok;

        merges = new Dictionary<long, (int, int)>();
        var rank = 0;
        foreach (var m in model.GetProperty("merges").EnumerateArray())
        {
            string left, right;
            if (m.ValueKind == JsonValueKind.Array) { left = m[0].GetString()!; right = m[1].GetString()!; }
            else
            {
                var s = m.GetString()!;
                var space = s.IndexOf(' ', 1); // older files: "a b" (a token may itself start with a space-like char, never ' ')
                left = s[..space]; right = s[(space + 1)..];
            }
            if (vocab.TryGetValue(left, out var l) && vocab.TryGetValue(right, out var r) && vocab.TryGetValue(left + right, out var merged))
                merges.TryAdd(Key(l, r), (rank, merged));
            rank++;
        }

        nfc = root.TryGetProperty("normalizer", out var norm) && norm.ValueKind == JsonValueKind.Object && ParseNormalizer(norm, source);
        preTokenizer = ParsePreTokenizer(root.GetProperty("pre_tokenizer"), source);

        int? Named(string key)
        {
            if (config is not { } c || !c.TryGetProperty(key, out var v)) return null;
            var text = v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var ct) ? ct.GetString() : null;
            return text is not null && TryTokenId(text, out var id) ? id : null;
        }
        int? Find(params string[] names)
        {
            foreach (var n in names) if (TryTokenId(n, out var id)) return id;
            return null;
        }
        EosId = Named("eos_token") ?? Find("<|im_end|>", "<|eot_id|>", "<|endoftext|>", "<|end_of_text|>", "</s>")
                ?? throw new InvalidDataException($"tokenizer {source}: cannot tell the EOS token");
        PadId = Named("pad_token") ?? Find("<|endoftext|>", "<|finetune_right_pad_id|>", "<|end_of_text|>") ?? EosId;
        BosId = Named("bos_token") ?? Find("<|begin_of_text|>");
        var stops = new List<int> { EosId };
        foreach (var n in new[] { "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>" })
            if (TryTokenId(n, out var id) && !stops.Contains(id)) stops.Add(id);
        StopIds = stops;
    }

    public bool TryTokenId(string token, out int id) => added.TryGetValue(token, out id) || vocab.TryGetValue(token, out id);

    public int TokenId(string token) => TryTokenId(token, out var id) ? id : throw new KeyNotFoundException($"tokenizer: no token '{token}'");

    public bool IsSpecial(int id) => specialIds.Contains(id);

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        var segmentStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (addedByFirstChar.TryGetValue(text[i], out var candidates))
            {
                var hit = candidates.FirstOrDefault(c => string.CompareOrdinal(text, i, c, 0, c.Length) == 0);
                if (hit is not null)
                {
                    EncodeOrdinary(text.AsSpan(segmentStart, i - segmentStart), ids);
                    ids.Add(added[hit]);
                    i += hit.Length;
                    segmentStart = i;
                    continue;
                }
            }
            i++;
        }
        EncodeOrdinary(text.AsSpan(segmentStart), ids);
        return ids.ToArray();
    }

    private void EncodeOrdinary(ReadOnlySpan<char> span, List<int> ids)
    {
        if (span.IsEmpty) return;
        var text = span.ToString();
        if (nfc) text = Nfc.Normalize(text);
        foreach (var (start, length) in preTokenizer.Split(text))
            ids.AddRange(EncodeWord(text.Substring(start, length)));
    }

    private int[] EncodeWord(string piece)
    {
        lock (cacheLock) { if (cache.TryGetValue(piece, out var hit)) return hit; }
        var bytes = Encoding.UTF8.GetBytes(piece);
        var mapped = new StringBuilder(bytes.Length);
        foreach (var b in bytes) mapped.Append(ByteToChar[b]);
        var word = mapped.ToString();
        int[] result;
        if (ignoreMerges && vocab.TryGetValue(word, out var whole)) result = [whole];
        else result = Bpe(word);
        lock (cacheLock)
        {
            if (cache.Count > 200_000) cache.Clear(); // bound memory on adversarial input
            cache[piece] = result;
        }
        return result;
    }

    /// <summary>Repeatedly merges the adjacent pair with the lowest merge rank (leftmost on ties), as Hugging Face does.</summary>
    private int[] Bpe(string word)
    {
        var symbols = new List<int>(word.Length);
        foreach (var ch in word)
            symbols.Add(vocab.TryGetValue(ch.ToString(), out var id) ? id : throw new InvalidDataException($"tokenizer: byte symbol '{ch}' is not in the vocabulary"));
        while (symbols.Count > 1)
        {
            var bestRank = int.MaxValue;
            var bestAt = -1;
            var bestMerged = 0;
            for (var j = 0; j + 1 < symbols.Count; j++)
                if (merges.TryGetValue(Key(symbols[j], symbols[j + 1]), out var m) && m.Rank < bestRank)
                    (bestRank, bestAt, bestMerged) = (m.Rank, j, m.Merged);
            if (bestAt < 0) break;
            symbols[bestAt] = bestMerged;
            symbols.RemoveAt(bestAt + 1);
        }
        return symbols.ToArray();
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var sb = new StringBuilder();
        var pending = new List<byte>();
        void Flush()
        {
            if (pending.Count == 0) return;
            sb.Append(Encoding.UTF8.GetString(pending.ToArray())); // invalid UTF-8 becomes U+FFFD, like errors="replace"
            pending.Clear();
        }
        foreach (var id in ids)
        {
            // An id the tokenizer lacks (a padding row of the model's embedding) decodes to nothing, as in Hugging Face's
            // tokenizers: a bad token must cost a wrong answer, never a crashed worker.
            if ((uint)id >= (uint)idToToken.Length || idToToken[id] is null) continue;
            var token = idToToken[id];
            if (added.ContainsKey(token) && added[token] == id)
            {
                if (skipSpecialTokens && specialIds.Contains(id)) continue;
                Flush();
                sb.Append(token);
                continue;
            }
            foreach (var ch in token)
                if (CharToByte.TryGetValue(ch, out var b)) pending.Add(b);
        }
        Flush();
        return sb.ToString();
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private static bool ParseNormalizer(JsonElement n, string source) => n.GetProperty("type").GetString() switch
    {
        "NFC" => true,
        "Sequence" when n.GetProperty("normalizers").GetArrayLength() == 0 => false,
        "Sequence" when n.GetProperty("normalizers").GetArrayLength() == 1 => ParseNormalizer(n.GetProperty("normalizers")[0], source),
        var t => throw Unsupported(source, "normalizer " + t),
    };

    private static BpePreTokenizer ParsePreTokenizer(JsonElement p, string source)
    {
        // Expected: Sequence[Split(regex, Isolated), ByteLevel(use_regex=false)], or one ByteLevel with its own GPT-2 regex (unsupported).
        string? regex = null;
        var parts = p.GetProperty("type").GetString() == "Sequence" ? p.GetProperty("pretokenizers").EnumerateArray().ToList() : [p];
        foreach (var part in parts)
        {
            switch (part.GetProperty("type").GetString())
            {
                case "Split":
                    regex = part.GetProperty("pattern").TryGetProperty("Regex", out var r) ? r.GetString() : null;
                    break;
                case "ByteLevel":
                    if (part.TryGetProperty("use_regex", out var ur) && ur.ValueKind == JsonValueKind.True) throw Unsupported(source, "ByteLevel pre-tokenizer with use_regex=true (GPT-2 regex)");
                    if (part.TryGetProperty("add_prefix_space", out var aps) && aps.ValueKind == JsonValueKind.True) throw Unsupported(source, "add_prefix_space=true");
                    break;
                case var t: throw Unsupported(source, "pre-tokenizer " + t);
            }
        }
        return regex switch
        {
            _ when regex == QwenRegex => BpePreTokenizer.Qwen2,
            _ when regex == Llama3Regex => BpePreTokenizer.Llama3,
            _ => throw Unsupported(source, "pre-tokenizer regex " + regex),
        };
    }

    private const string QwenRegex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Llama3Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static NotSupportedException Unsupported(string source, string what) => new($"tokenizer {source}: unsupported {what}");

    /// <summary>GPT-2's reversible byte to printable-character map.</summary>
    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var extra = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + extra++);
        }
        return map;
    }
}
