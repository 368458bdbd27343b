namespace Hpt.Actors.Coordinator;

/// <summary>
/// The run's data order: prompt seq s is problem perm_e[s mod N] of epoch e = s div N, with one seeded shuffle per
/// epoch. A pure function of (seed, seq), so the only state a resume needs is the cursor.
/// </summary>
public sealed class DataOrder
{
    private readonly int _count;
    private readonly int _seed;
    private int _cachedEpoch = -1;
    private int[] _cachedPermutation = [];

    public DataOrder(int count, int seed)
    {
        if (count <= 0) throw new ArgumentException("the training set is empty", nameof(count));
        _count = count;
        _seed = seed;
    }

    public (int Epoch, int Index) Locate(long seq)
    {
        var epoch = checked((int)(seq / _count));
        return (epoch, Permutation(epoch)[(int)(seq % _count)]);
    }

    private int[] Permutation(int epoch)
    {
        if (epoch == _cachedEpoch) return _cachedPermutation;
        var order = Enumerable.Range(0, _count).ToArray();
        // System.Random with a seed is stable within a .NET major version. The epoch is mixed in with fixed
        // arithmetic: HashCode.Combine is randomised per process and would make every restart shuffle differently.
        new Random(unchecked(_seed * 1_000_003 + epoch * 7_919 + 0x5eed)).Shuffle(order);
        _cachedEpoch = epoch;
        _cachedPermutation = order;
        return order;
    }
}
