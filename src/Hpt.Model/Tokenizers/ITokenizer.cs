namespace Hpt.Model.Tokenizers;

/// <summary>Text to token ids and back, for any tokenizer the pipeline uses (Hugging Face BPE or the built-in character set).</summary>
public interface ITokenizer
{
    /// <summary>Number of ids (the model's embedding rows must be at least this many).</summary>
    int VocabSize { get; }
    /// <summary>End of a response: generation stops after it, and SFT targets end with it.</summary>
    int EosId { get; }
    /// <summary>Fills padding; never attended to.</summary>
    int PadId { get; }
    /// <summary>Prepended by callers that want it; null when the model uses none (Qwen).</summary>
    int? BosId { get; }
    /// <summary>Every id that ends generation (EOS and, for chat models, the end-of-turn/end-of-text pair).</summary>
    IReadOnlyList<int> StopIds { get; }

    /// <summary>Token ids of <paramref name="text"/>, special-token strings included as their ids; no BOS/EOS added.</summary>
    int[] Encode(string text);

    /// <summary>
    /// Text of <paramref name="ids"/>; special tokens are written out unless <paramref name="skipSpecialTokens"/>. Ids the
    /// tokenizer does not have are skipped, never thrown on.
    /// </summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);
}
