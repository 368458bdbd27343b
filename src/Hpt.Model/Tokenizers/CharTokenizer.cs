using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hpt.Model.Tokenizers;

/// <summary>
/// One id per character, for the built-in tasks (arithmetic, sorting, ...): ids 0-3 are &lt;pad&gt;, &lt;bos&gt;,
/// &lt;eos&gt;, &lt;unk&gt;, then the alphabet in order. Characters outside the alphabet encode as &lt;unk&gt;.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    public const string DefaultAlphabet = "0123456789+-*/=()<>.,:;?!^%_#[]{}|&' \nabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public static readonly string[] SpecialTokens = ["<pad>", "<bos>", "<eos>", "<unk>"];

    private readonly Dictionary<char, int> ids;

    public string Alphabet { get; }
    public int VocabSize => SpecialTokens.Length + Alphabet.Length;
    public int PadId => 0;
    public int? BosId => 1;
    public int EosId => 2;
    public int UnkId => 3;
    public IReadOnlyList<int> StopIds => [EosId];

    public CharTokenizer(string alphabet = DefaultAlphabet)
    {
        if (alphabet.Distinct().Count() != alphabet.Length) throw new ArgumentException("alphabet has repeated characters");
        Alphabet = alphabet;
        ids = alphabet.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i + SpecialTokens.Length);
    }

    public int[] Encode(string text)
    {
        var result = new int[text.Length];
        for (var i = 0; i < text.Length; i++) result[i] = ids.TryGetValue(text[i], out var id) ? id : UnkId;
        return result;
    }

    public string Decode(IEnumerable<int> tokenIds, bool skipSpecialTokens = false)
    {
        var sb = new StringBuilder();
        foreach (var id in tokenIds)
        {
            if (id < 0 || id >= VocabSize) continue; // as ITokenizer promises: unknown ids are skipped
            if (id < SpecialTokens.Length) { if (!skipSpecialTokens) sb.Append(SpecialTokens[id]); }
            else sb.Append(Alphabet[id - SpecialTokens.Length]);
        }
        return sb.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new Saved("char", Alphabet, SpecialTokens));

    public static CharTokenizer FromJson(string json)
    {
        var saved = JsonSerializer.Deserialize<Saved>(json) ?? throw new InvalidDataException("char tokenizer: empty JSON");
        if (saved.Type != "char") throw new InvalidDataException($"char tokenizer: type is '{saved.Type}', expected 'char'");
        if (saved.Specials is not null && !saved.Specials.SequenceEqual(SpecialTokens))
            throw new InvalidDataException($"char tokenizer: special tokens [{string.Join(", ", saved.Specials)}] differ from this version's [{string.Join(", ", SpecialTokens)}]");
        return new CharTokenizer(saved.Alphabet ?? throw new InvalidDataException("char tokenizer: no alphabet"));
    }

    public void Save(string path) => File.WriteAllText(path, ToJson());

    public static CharTokenizer Load(string path) => FromJson(File.ReadAllText(path));

    private sealed record Saved(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("alphabet")] string? Alphabet,
        [property: JsonPropertyName("specials")] string[]? Specials);
}
