using static TorchSharp.torch;

namespace Hpt.Model.Sampling;

/// <summary>
/// The continuous-batching KV cache: <c>slots</c> independent sequences, each with its own length, in one buffer per
/// layer of shape (slots, Hkv, capacity, D), allocated once and reused for the life of a worker (memory stays flat
/// however many sequences pass through). Sequence r's token at position j lives at column j of its row: no padding,
/// so positions equal columns. Before each forward the caller says where its tokens go (<see cref="PlanDecode"/> or
/// <see cref="PlanPrefill"/>); every layer then writes at the same places. Decoding runs over rows 0..rows-1, which
/// the caller keeps contiguous (<see cref="CopySlot"/> moves a sequence down when one below it leaves), so attention
/// reads a view of the buffer instead of gathering the active rows every step.
/// </summary>
public sealed class SlotKvCache : IKvCache, IDisposable
{
    private readonly Tensor[] keys;
    private readonly Tensor[] values;
    private readonly int kvHeads;
    private readonly int headDim;
    private Plan plan;

    public int Slots { get; }
    public int Capacity { get; }

    /// <summary>Bytes held by the buffers (all layers, keys and values).</summary>
    public long Bytes { get; }

    public SlotKvCache(ModelConfig config, int slots, int capacity, Device device, ScalarType dtype)
    {
        if (slots < 1) throw new ArgumentOutOfRangeException(nameof(slots), slots, "at least one slot");
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "at least one position");
        Slots = slots;
        Capacity = capacity;
        kvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        keys = new Tensor[config.NumHiddenLayers];
        values = new Tensor[config.NumHiddenLayers];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = zeros([slots, kvHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
            values[i] = zeros([slots, kvHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
        }
        Bytes = 2L * keys.Length * keys[0].numel() * keys[0].element_size();
    }

    public static SlotKvCache For(CausalLM model, int slots, int capacity) => new(model.Config, slots, capacity, model.Device, model.DType);

    /// <summary>
    /// The next forward is one decode step over rows 0..n-1 (n = <paramref name="columns"/>.Length): row r's new token is
    /// written at column <c>columns[r]</c>, and every row reads columns 0..<paramref name="attend"/>-1 (the caller masks
    /// what a shorter row must not see). Create the plan inside the step's dispose scope: it makes a small index tensor.
    /// </summary>
    public void PlanDecode(IReadOnlyList<int> columns, int attend) => plan = DecodePlan(0, columns, attend);

    /// <summary>The next forward writes <paramref name="count"/> tokens of one sequence at columns start.. of <paramref name="slot"/>.</summary>
    public void PlanPrefill(int slot, int start, int count)
    {
        if ((uint)slot >= (uint)Slots) throw new ArgumentOutOfRangeException(nameof(slot), slot, $"0..{Slots - 1}");
        if (start + count > Capacity) throw new InvalidOperationException($"slot KV cache full: {start} + {count} > capacity {Capacity}");
        plan = new Plan(Decode: false, First: slot, Rows: 1, Start: start, Count: count, Attend: start + count, Index: null);
    }

    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v) => Append(plan, layer, k, v);

    /// <summary>
    /// Rows <paramref name="first"/>..first+count-1 as a cache of their own, with a plan of their own: row groups of one
    /// decode step can then run their forwards at the same time, on different threads, each writing only its rows.
    /// </summary>
    public RowGroup Rows(int first, int count)
    {
        if (first < 0 || count < 1 || first + count > Slots) throw new ArgumentOutOfRangeException(nameof(count), $"rows {first}..{first + count - 1} of {Slots}");
        return new RowGroup(this, first, count);
    }

    /// <summary>A decode view of some rows of the cache (see <see cref="Rows"/>).</summary>
    public sealed class RowGroup(SlotKvCache cache, int first, int count) : IKvCache
    {
        private Plan plan;

        public int First => first;
        public int Count => count;

        /// <summary>Like <see cref="SlotKvCache.PlanDecode"/> over this group's rows: row r of the group is cache row first + r.</summary>
        public void PlanDecode(IReadOnlyList<int> columns, int attend)
        {
            if (columns.Count != count) throw new ArgumentException($"{columns.Count} columns for a group of {count} rows");
            plan = cache.DecodePlan(first, columns, attend);
        }

        public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v) => cache.Append(plan, layer, k, v);
    }

    private Plan DecodePlan(int first, IReadOnlyList<int> columns, int attend)
    {
        var n = columns.Count;
        if (n < 1 || first + n > Slots) throw new ArgumentOutOfRangeException(nameof(columns), n, $"1..{Slots - first} rows");
        if (attend > Capacity) throw new InvalidOperationException($"slot KV cache full: {attend} positions > capacity {Capacity}");
        // Flat row index into the (slots * Hkv * capacity, D) view of a layer, for each (row, kv head).
        var index = new long[n * kvHeads];
        for (var r = 0; r < n; r++)
        {
            if (columns[r] >= attend) throw new ArgumentException($"row {r} writes column {columns[r]} but attends only {attend}");
            for (var h = 0; h < kvHeads; h++) index[r * kvHeads + h] = ((long)(first + r) * kvHeads + h) * Capacity + columns[r];
        }
        return new Plan(Decode: true, First: first, Rows: n, Start: 0, Count: 1, Attend: attend, Index: tensor(index, device: keys[0].device));
    }

    private (Tensor Keys, Tensor Values) Append(Plan p, int layer, Tensor k, Tensor v)
    {
        if (k.shape[0] != p.Rows || k.shape[2] != p.Count)
            throw new InvalidOperationException($"forward of {k.shape[0]}x{k.shape[2]} tokens does not match the planned {p.Rows}x{p.Count}");
        if (p.Decode)
        {
            // Each row writes at its own column: one index_copy_ per tensor over the flattened buffer.
            keys[layer].view(-1, headDim).index_copy_(0, p.Index!, k.reshape(-1, headDim));
            values[layer].view(-1, headDim).index_copy_(0, p.Index!, v.reshape(-1, headDim));
            return (keys[layer].narrow(0, p.First, p.Rows).narrow(2, 0, p.Attend), values[layer].narrow(0, p.First, p.Rows).narrow(2, 0, p.Attend));
        }
        keys[layer].narrow(0, p.First, 1).narrow(2, p.Start, p.Count).copy_(k);
        values[layer].narrow(0, p.First, 1).narrow(2, p.Start, p.Count).copy_(v);
        return (keys[layer].narrow(0, p.First, 1).narrow(2, 0, p.Attend), values[layer].narrow(0, p.First, 1).narrow(2, 0, p.Attend));
    }

    /// <summary>Copies the first <paramref name="length"/> positions of slot <paramref name="from"/> into slot <paramref name="to"/> (every layer).</summary>
    public void CopySlot(int from, int to, int length)
    {
        if (from == to || length == 0) return;
        using var scope = NewDisposeScope();
        for (var l = 0; l < keys.Length; l++)
        {
            keys[l][to].narrow(1, 0, length).copy_(keys[l][from].narrow(1, 0, length));
            values[l][to].narrow(1, 0, length).copy_(values[l][from].narrow(1, 0, length));
        }
    }

    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }

    /// <summary>First: the first row a decode writes, or the slot a prefill writes.</summary>
    private readonly record struct Plan(bool Decode, int First, int Rows, int Start, int Count, int Attend, Tensor? Index);
}
