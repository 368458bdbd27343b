using Hpt.Model.Tokenizers;

namespace Hpt.Training.Engines.Torch;

/// <summary>
/// How prompts and responses become token ids, shared by the sampler and the learner so that both see exactly the
/// same sequences (a mismatch here would show up as an importance ratio != 1 at staleness 0).
/// </summary>
public sealed class PromptCodec(ITokenizer tokenizer)
{
    public ITokenizer Tokenizer { get; } = tokenizer;

    public int[] EncodePrompt(string prompt)
    {
        var ids = Tokenizer.Encode(prompt);
        return Tokenizer.BosId is { } bos ? [bos, .. ids] : ids;
    }

    /// <summary>An expert demonstration as a response: its tokens and the EOS the model must learn to emit.</summary>
    public int[] EncodeResponse(string response) => [.. Tokenizer.Encode(response), Tokenizer.EosId];

    /// <summary>The response text without the stop token.</summary>
    public string DecodeResponse(IReadOnlyList<int> ids)
    {
        var stops = Tokenizer.StopIds;
        var end = ids.Count;
        while (end > 0 && stops.Contains(ids[end - 1])) end--;
        return Tokenizer.Decode(ids.Take(end), skipSpecialTokens: true);
    }
}
