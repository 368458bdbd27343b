namespace Hpt.Model.Sampling;

/// <summary>
/// How to sample. Defaults are plain ancestral sampling at temperature 1 (the on-policy setting of the paper's RL runs).
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Softmax temperature; 0 means greedy (argmax).</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Nucleus: keep the smallest set of most likely tokens whose mass reaches this; 1 = off.</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary>Keep only the k most likely tokens; 0 = off.</summary>
    public int TopK { get; init; }
    public int MaxNewTokens { get; init; } = 256;
    /// <summary>Generation of a row ends after it emits one of these (the stop token is part of the response).</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];
    /// <summary>Fills left padding and the slots after a row stopped; never attended to, never returned.</summary>
    public int PadTokenId { get; init; }
    /// <summary>Base seed. Row i of a call draws from its own stream seeded by (Seed, i) unless row seeds are passed.</summary>
    public ulong Seed { get; init; }

    public bool Greedy => Temperature <= 0;

    public SamplingOptions Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentException($"MaxNewTokens must be >= 0 (got {MaxNewTokens})");
        if (TopP is <= 0 or > 1) throw new ArgumentException($"TopP must be in (0, 1] (got {TopP})");
        if (TopK < 0) throw new ArgumentException($"TopK must be >= 0 (got {TopK})");
        if (double.IsNaN(Temperature) || Temperature < 0) throw new ArgumentException($"Temperature must be >= 0 (got {Temperature})");
        return this;
    }
}
