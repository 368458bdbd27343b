namespace Hpt.Model.Sampling;

/// <summary>
/// SplitMix64 uniform stream, one per generated row, on the host. Why not a torch.Generator: one stream per row makes a
/// row's draws independent of which other prompts share its batch and of the device (CPU or CUDA give the same numbers),
/// and the draws for a step cost one small host-to-device copy instead of B generator calls.
/// </summary>
public sealed class RowRandom(ulong seed)
{
    private ulong state = seed;

    /// <summary>Seed for row <paramref name="row"/> of a call with base seed <paramref name="seed"/>.</summary>
    public static ulong RowSeed(ulong seed, int row) => Mix(seed ^ Mix((ulong)row + 0x9E3779B97F4A7C15UL));

    /// <summary>Uniform in [0, 1) with 24 random bits, exactly representable as a float.</summary>
    public float NextFloat() => (Next() >> 40) * (1.0f / (1 << 24));

    public ulong Next() => Mix(state += 0x9E3779B97F4A7C15UL);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
