using Hpt.Model.Tokenizers;

namespace Hpt.Training.Engines.Torch;

/// <summary>
/// How prompts and responses become token ids, shared by the sampler and the learner so that both see exactly the
/// same sequences (a mismatch here would show up as an importance ratio != 1 at staleness 0). Prompts are rendered
/// with the model's chat template when it has one (<see cref="PromptFormat"/>); demonstrations then end with the
/// template's end-of-turn token, the token the model ends its own answers with.
/// </summary>
public sealed class PromptCodec(ITokenizer tokenizer, PromptFormat? format = null)
{
    public ITokenizer Tokenizer { get; } = tokenizer;
    public PromptFormat Format { get; } = format ?? PromptFormat.Bare;

    private readonly int endOfResponse = format?.Template is { } t && tokenizer is HfBpeTokenizer hf
        ? hf.TryTokenId(t.EndOfTurn, out var id) ? id : throw new InvalidDataException($"the {t.Name} chat template ends turns with {t.EndOfTurn}, which the tokenizer lacks")
        : tokenizer.EosId;

    /// <summary>The id a demonstration ends with: the template's end-of-turn token, else EOS.</summary>
    public int EndOfResponseId => endOfResponse;

    /// <summary>Every id that ends generation: the tokenizer's stop ids and the template's end of turn.</summary>
    public IReadOnlyList<int> StopIds => Tokenizer.StopIds.Contains(endOfResponse) ? Tokenizer.StopIds : [.. Tokenizer.StopIds, endOfResponse];

    public int[] EncodePrompt(string prompt)
    {
        var ids = Tokenizer.Encode(Format.Render(prompt));
        return Tokenizer.BosId is { } bos ? [bos, .. ids] : ids;
    }

    /// <summary>
    /// Tokens a demonstration may take, its end token included (0 = all); a longer one is cut, as the official HPT code
    /// cuts its targets to the response length: a cut demonstration ends without an end token, so SFT never teaches the
    /// model to stop mid-solution.
    /// </summary>
    public int MaxResponseTokens { get; init; }

    /// <summary>An expert demonstration as a response: its tokens and the end-of-turn (or EOS) the model must learn to emit.</summary>
    public int[] EncodeResponse(string response)
    {
        int[] ids = [.. Tokenizer.Encode(response), endOfResponse];
        return MaxResponseTokens > 0 && ids.Length > MaxResponseTokens ? ids[..MaxResponseTokens] : ids;
    }

    /// <summary>The response text without the stop token.</summary>
    public string DecodeResponse(IReadOnlyList<int> ids)
    {
        var stops = Tokenizer.StopIds;
        var end = ids.Count;
        while (end > 0 && (stops.Contains(ids[end - 1]) || ids[end - 1] == endOfResponse)) end--;
        return Tokenizer.Decode(ids.Take(end), skipSpecialTokens: true);
    }
}
