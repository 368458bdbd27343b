using System.Diagnostics;
using System.Runtime.InteropServices;
using Hpt.Model.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Sampling;

/// <summary>
/// Continuous batching over a fixed slot KV cache. Requests (a prompt, n samples) wait in a queue; each
/// <see cref="Step"/> admits waiting prompts into free slots (prefill in chunks, at most
/// <see cref="ContinuousOptions.PrefillChunkTokens"/> prompt tokens per step while others decode), then runs one
/// batched decode forward over every sequence in flight. A sequence that ends leaves its slot at once; the next
/// step can give it to a waiting prompt. A prompt is prefilled once and its KV copied into the slots of its samples
/// (prefix sharing); samples that find no free slot wait with the prompt's last hidden state and later copy the prompt's
/// KV from a running sibling instead of prefilling it again. A sample's first token is drawn in the step's one lm-head
/// matmul together with the decoding rows (one read of the vocabulary matrix per step). Sample i of a request draws from its own stream (<see cref="GenerationRequest.RowSeeds"/>), one
/// draw per token as in <see cref="Sampler"/>, so which sequences share a batch changes only float rounding.
/// Weights may change between two steps (set <see cref="PolicyVersion"/> after copying them in); every token records
/// the version that sampled it, and <see cref="ContinuousOptions.KvAfterUpdate"/> says what running sequences do.
/// Not thread-safe: one caller drives it. Every step runs under no_grad in its own dispose scope.
/// </summary>
public sealed class ContinuousGenerator : IDisposable
{
    private readonly CausalLM model;
    private readonly ContinuousOptions options;
    private readonly SlotKvCache cache;
    private readonly DecodeHead head;
    private readonly HashSet<int> stop;
    private readonly LinkedList<Pending> waiting = new();
    private readonly List<Row> rows = []; // rows[i] decodes in slot i; kept contiguous
    private readonly Dictionary<long, Group> groups = new();
    private Prefill? prefilling;
    private long submitted;
    private readonly bool kernelDecode;

    /// <summary>
    /// Tokens per prefill forward: with the CPU kernel at most <see cref="FewRowLinear.MaxRows"/>, so that a chunk's
    /// products take the kernel on every core too (inside a step libtorch runs inline, so a larger forward would get
    /// libtorch's GEMM on one thread); the step's budget, PrefillChunkTokens, is unchanged.
    /// </summary>
    private int PrefillPiece => kernelDecode ? FewRowLinear.MaxRows : int.MaxValue;

    /// <summary>
    /// With the CPU kernel (<see cref="ContinuousOptions.CpuKernel"/>), a decode step of at most this many rows splits the
    /// weights between the threads (<see cref="FewRowLinear"/>'s own), a larger one splits its rows (<see cref="RowGroups"/>).
    /// Per step on the bench's model, 2 threads, idle machine: 1 / 4 / 8 / 16 / 32 / 48 / 64 rows 12.6 / 13.3 / 15.3 / 17.3 /
    /// 26.0 / 36.2 / 44.0 ms, against 15.3 / 23.2 / 20.6 / 23.3 / 29.8 / 39.0 / 43-58 ms with libtorch's GEMM and threads.
    /// </summary>
    public const int KernelDecodeMaxRows = 32;
    private long kvVersion; // the version the cached KV of running rows was last (re)computed with, for Recompute

    public ContinuousGenerator(CausalLM model, ContinuousOptions options)
    {
        this.model = model;
        this.options = options.Validate();
        stop = options.Sampling.StopTokenIds.ToHashSet();
        cache = SlotKvCache.For(model, options.MaxSequences, options.SlotCapacity);
        head = new DecodeHead(model);
        // Every product of the model must take the kernel: row groups run on several threads, and the decode head's
        // fallback (its lazily made copy) is not safe to share between them.
        var c = model.Config;
        kernelDecode = options.CpuKernel && model.Device.type == DeviceType.CPU && model.DType == ScalarType.Float32 &&
                       FewRowLinear.Takes(c.HiddenSize, Math.Max(c.VocabSize, c.IntermediateSize)) && FewRowLinear.Takes(c.IntermediateSize, c.HiddenSize) &&
                       FewRowLinear.Takes((long)c.NumAttentionHeads * c.HeadDim, c.HiddenSize);
    }

    public ContinuousOptions Options => options;

    /// <summary>
    /// The weights version new tokens are stamped with. Set it after loading new weights, between two steps: setting it
    /// (to any value) is also what tells the generator that the weights changed (its decode head keeps a copy).
    /// </summary>
    public long PolicyVersion
    {
        get => policyVersion;
        set
        {
            policyVersion = value;
            head.Refresh();
        }
    }

    private long policyVersion;

    /// <summary>Sequences decoding now.</summary>
    public int Active => rows.Count;

    /// <summary>Slots neither decoding nor reserved by a prefill.</summary>
    public int FreeSlots => options.MaxSequences - rows.Count - (prefilling is null ? 0 : 1);

    /// <summary>Samples not yet admitted into a slot.</summary>
    public int WaitingSamples => waiting.Sum(p => p.Samples.Count) + (prefilling?.Pending.Samples.Count ?? 0);

    /// <summary>Requests submitted and not yet completed.</summary>
    public int Requests => groups.Count;

    public bool HasWork => groups.Count > 0;

    /// <summary>The ids of the requests submitted and not yet completed, in submission order.</summary>
    public IReadOnlyList<long> RequestIds => groups.Values.OrderBy(g => g.Order).Select(g => g.Request.Id).ToArray();

    public long CacheBytes => cache.Bytes;

    /// <summary>Bytes of the decode head's copy of the vocabulary matrix (CPU only; allocated at the first decode step).</summary>
    public long HeadBytes => head.Bytes;

    public GeneratorCounters Counters { get; private set; } = new();

    public void ResetCounters() => Counters = new GeneratorCounters();

    /// <summary>Queues a request; its samples are admitted as slots free up.</summary>
    public void Submit(GenerationRequest request)
    {
        if (groups.ContainsKey(request.Id)) throw new ArgumentException($"request {request.Id} is already in the generator");
        if (request.Samples < 1) throw new ArgumentException($"request {request.Id} asks for no samples");
        if (request.Prompt.Count == 0) throw new ArgumentException($"request {request.Id}: every prompt needs at least one token");
        if (request.Prompt.Count > options.MaxPromptTokens)
            throw new ArgumentException($"request {request.Id}: prompt of {request.Prompt.Count} tokens exceeds the {options.MaxPromptTokens} a slot holds");
        if (request.MaxNewTokens is { } m && (m < 1 || m > options.Sampling.MaxNewTokens))
            throw new ArgumentException($"request {request.Id}: MaxNewTokens {m} is outside 1..{options.Sampling.MaxNewTokens}");
        var vocab = model.Config.VocabSize;
        foreach (var id in request.Prompt)
            if ((uint)id >= (uint)vocab) throw new ArgumentException($"prompt token id {id} is outside the vocabulary (size {vocab})");
        groups[request.Id] = new Group(request, submitted++);
        waiting.AddLast(new Pending(request, Enumerable.Range(0, request.Samples).ToList()));
    }

    /// <summary>
    /// Drops a request (its queued samples and its running sequences) without a result, e.g. when the caller hands it
    /// back. Returns false if it is not here.
    /// </summary>
    public bool Cancel(long requestId)
    {
        if (!groups.Remove(requestId)) return false;
        for (var node = waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Request.Id == requestId) { node.Value.DropHidden(); waiting.Remove(node); }
            node = next;
        }
        if (prefilling?.Pending.Request.Id == requestId) prefilling = null;
        foreach (var row in rows) if (row.Group.Request.Id == requestId) row.Left = true;
        using var scope = NewDisposeScope();
        Compact();
        return true;
    }

    /// <summary>Admits what fits (prefill), then one decode step over every running sequence.</summary>
    public GeneratorStep Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // The whole step runs libtorch's operators on this thread and the products on FewRowLinear (CPU, fp32): libtorch's
        // spinning OpenMP workers and the kernel's threads never compete for a core (see LibtorchThreads).
        using var inline = kernelDecode ? LibtorchThreads.Inline() : null;
        if (options.KvAfterUpdate == KvAfterUpdate.Recompute && kvVersion != PolicyVersion) RecomputeRunning();
        kvVersion = PolicyVersion;

        var admitted = new List<Admission>();
        var completed = new List<GeneratedGroup>();
        var fresh = new List<Tensor>(); // (1, d) last prompt hidden states of this step's new samples
        try
        {
            Admit(admitted, fresh);
            var sampled = rows.Count;
            if (sampled > 0) Decode(fresh, completed);
            return new GeneratorStep(completed, admitted, sampled);
        }
        finally
        {
            foreach (var t in fresh) t.Dispose();
        }
    }

    /// <summary>Steps until every submitted request is complete; returns the groups in completion order.</summary>
    public IReadOnlyList<GeneratedGroup> RunToCompletion()
    {
        var all = new List<GeneratedGroup>();
        while (HasWork) all.AddRange(Step().Completed);
        return all;
    }

    private void Admit(List<Admission> admitted, List<Tensor> fresh)
    {
        var clock = Stopwatch.StartNew();
        var budget = options.PrefillChunkTokens;
        while (true)
        {
            if (prefilling is null)
            {
                if (waiting.First is not { } head || rows.Count >= options.MaxSequences) break;
                if (head.Value.Hidden is not null)
                {
                    // Samples left over from an earlier admission: copy the prompt's KV from a running sibling.
                    var sibling = rows.FindIndex(r => r.Group == groups[head.Value.Request.Id] && !r.Left);
                    if (sibling >= 0)
                    {
                        waiting.RemoveFirst();
                        StartSamples(head.Value, sibling, head.Value.TakeHidden(), head.Value.HiddenVersion, admitted, fresh);
                        continue;
                    }
                    head.Value.DropHidden(); // every sibling has finished: prefill the prompt again
                }
                waiting.RemoveFirst();
                prefilling = new Prefill(head.Value, Slot: rows.Count);
            }
            // With nothing decoding there is nothing to stall: prefill as much as fits.
            if (rows.Count > 0 && budget <= 0) break;
            var p = prefilling;
            var prompt = p.Pending.Request.Prompt;
            var take = Math.Min(Math.Min(prompt.Count - p.Done, PrefillPiece), rows.Count > 0 ? Math.Min(budget, options.PrefillChunkTokens) : options.PrefillChunkTokens);
            var hidden = PrefillChunk(p.Slot, prompt, p.Done, take);
            p.Done += take;
            budget -= take;
            if (p.Done < prompt.Count) continue;
            prefilling = null;
            StartSamples(p.Pending, p.Slot, hidden.select(1, take - 1).detach().clone().DetachFromDisposeScope(), PolicyVersion, admitted, fresh);
        }
        Counters.PrefillSeconds += clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// A prompt's KV is in slot <paramref name="from"/> (its prefill slot or a running sibling's): copy it into as many
    /// of its samples' slots as are free; the rest go back to the head of the queue with the prompt's last hidden state.
    /// The new rows draw their first token from <paramref name="lastHidden"/> (1, d), computed by weights
    /// <paramref name="hiddenVersion"/>, in this step's decode. Takes ownership of <paramref name="lastHidden"/>.
    /// </summary>
    private void StartSamples(Pending pending, int from, Tensor lastHidden, long hiddenVersion, List<Admission> admitted, List<Tensor> fresh)
    {
        var promptLen = pending.Request.Prompt.Count;
        var first = rows.Count; // a prefill slot is at or above it: rows only left while it ran
        var k = Math.Min(pending.Samples.Count, options.MaxSequences - first);
        for (var j = 0; j < k; j++)
            if (first + j != from) { cache.CopySlot(from, first + j, promptLen); Counters.SharedPrefixCopies++; }
        if (k < pending.Samples.Count)
            waiting.AddFirst(new Pending(pending.Request, pending.Samples.Skip(k).ToList(), lastHidden.clone().DetachFromDisposeScope(), hiddenVersion));

        var group = groups[pending.Request.Id];
        fresh.Add(lastHidden);
        for (var j = 0; j < k; j++)
        {
            var sample = pending.Samples[j];
            var row = new Row(group, sample, new RowRandom(pending.Request.RowSeeds[sample]), promptLen,
                pending.Request.MaxNewTokens ?? options.Sampling.MaxNewTokens) { Fresh = fresh.Count - 1, FreshVersion = hiddenVersion };
            rows.Add(row);
            admitted.Add(new Admission(pending.Request.Id, sample, first + j));
        }
    }

    /// <summary>
    /// One batched decode forward over the rows that have a token to feed (rows 0..m-1: each its last sampled token at
    /// its own position), then one lm-head matmul over their hidden states and the new samples' prompt states, and one
    /// token for every row. With <see cref="FewRowLinear"/> and more than <see cref="KernelDecodeMaxRows"/> rows, the
    /// forward and the sampling run as one row group per thread (<see cref="RowGroups"/>), and the lm head, between
    /// them, over every row with the weights split between the threads.
    /// </summary>
    private void Decode(List<Tensor> fresh, List<GeneratedGroup> completed)
    {
        var clock = Stopwatch.StartNew();
        var n = rows.Count;
        var m = 0;
        while (m < n && rows[m].Fresh < 0) m++; // new rows were appended after the running ones

        var inputs = new List<Tensor>(3);
        var detached = new List<Tensor>(); // hidden states that outlived their thread's scope
        if (m > 0)
        {
            var groups = RowGroups(m);
            var hidden = new Tensor[groups];
            var attended = new long[groups]; // rows x key columns each group's attention read
            OnRowGroups(groups, m, (g, first, count) =>
            {
                (hidden[g], var attend) = ForwardRows(first, count, whole: groups == 1);
                attended[g] = (long)count * attend;
                if (groups > 1) hidden[g] = hidden[g].DetachFromDisposeScope(); // out of the thread's scope; disposed below
            });
            inputs.AddRange(hidden);
            if (groups > 1) detached.AddRange(hidden);
            Counters.DecodeAttendSlotSteps += attended.Sum();
        }
        var forwardEnd = clock.Elapsed.TotalSeconds;
        var logits = Logits(inputs, m, fresh);
        foreach (var h in detached) h.Dispose();
        var headEnd = clock.Elapsed.TotalSeconds;

        var sampleGroups = RowGroups(n);
        var host = new float[sampleGroups][];
        OnRowGroups(sampleGroups, n, (g, first, count) => host[g] = PickRows(logits, first, count));
        for (var g = 0; g < sampleGroups; g++)
        {
            var first = n * g / sampleGroups;
            for (var j = 0; j < host[g].Length / 3; j++) Append(rows[first + j], host[g], j);
        }

        for (var r = 0; r < m; r++) rows[r].KvLength++;
        Counters.DecodeKvSlotSteps += rows.Take(m).Sum(r => (long)r.KvLength);
        Counters.GeneratedTokens += n;
        Counters.DecodeForwardSeconds += forwardEnd;
        Counters.LmHeadSeconds += headEnd - forwardEnd;
        Counters.SampleSeconds += clock.Elapsed.TotalSeconds - headEnd;
        for (var r = m; r < n; r++) rows[r].Fresh = -1;
        Counters.DecodeSteps++;
        Counters.DecodeRows += n;
        if (waiting.Count == 0 && prefilling is null) Counters.TailIdleSlotSteps += options.MaxSequences - n;
        Retire(completed);
        Counters.DecodeSeconds += clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// How many row groups a decode phase over <paramref name="n"/> rows runs as. One, unless the step runs under
    /// <see cref="LibtorchThreads.Inline"/> with more than <see cref="KernelDecodeMaxRows"/> rows: then one group per
    /// thread. Splitting the rows, not the weights, is what makes the forward of many rows fast here: every thread runs
    /// its own forward with libtorch inline and the kernel on one thread, so no operator waits for another thread, and
    /// each group attends over its own rows' longest key length only. Each thread reads all the decoder's weights, which
    /// costs little once a step has this many rows (it is compute-bound). The lm head is the exception: over the 32k-entry
    /// vocabulary the weights' bytes still count at 32 rows, so it runs over every row with the weights split instead.
    /// </summary>
    private int RowGroups(int n)
    {
        if (!kernelDecode || n <= KernelDecodeMaxRows) return 1;
        var groups = Math.Min(LibtorchThreads.Budget, KernelThreads.Shared.Threads);
        return groups < 2 || (n + groups - 1) / groups > FewRowLinear.MaxRows ? 1 : groups;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(group, first row, rows) for <paramref name="groups"/> consecutive ranges of
    /// <paramref name="n"/> rows: one group on the calling thread as it is, or one per kernel thread, each with its own
    /// grad mode, dispose scope and libtorch thread counts (all per thread), the kernel on one thread inside it.
    /// </summary>
    private static void OnRowGroups(int groups, int n, Action<int, int, int> body)
    {
        if (groups == 1) { body(0, 0, n); return; }
        KernelThreads.Shared.Run(groups, g =>
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            using var single = LibtorchThreads.Inline(kernelThreads: 1);
            var first = n * g / groups;
            body(g, first, n * (g + 1) / groups - first);
        });
    }

    /// <summary>
    /// The decode forward of running rows first..first+count-1: their hidden states (count, d) and the key length they
    /// attend over. Touches no generator state, so groups may run concurrently. <paramref name="whole"/>: the group is
    /// every running row, and plans on the cache itself.
    /// </summary>
    private (Tensor Hidden, int Attend) ForwardRows(int first, int count, bool whole)
    {
        var ids = new long[count];
        var positions = new long[count];
        var columns = new int[count];
        var attend = 0;
        for (var j = 0; j < count; j++)
        {
            var row = rows[first + j];
            ids[j] = row.Pending;
            positions[j] = columns[j] = row.KvLength;
            attend = Math.Max(attend, row.KvLength + 1);
        }
        var visible = new bool[count * attend];
        for (var j = 0; j < count; j++) Array.Fill(visible, true, j * attend, rows[first + j].KvLength + 1);
        var device = model.Device;
        IKvCache view;
        if (whole) { cache.PlanDecode(columns, attend); view = cache; }
        else
        {
            var group = cache.Rows(first, count);
            group.PlanDecode(columns, attend);
            view = group;
        }
        var hidden = model.Forward(tensor(ids, [count, 1], device: device), tensor(positions, [count, 1], device: device),
            tensor(visible, [count, 1, 1, attend], device: device), view);
        return (hidden.select(1, 0), attend);
    }

    /// <summary>
    /// (rows, V) fp32 logits: the running rows' hidden states (<paramref name="inputs"/>, m rows in all) and the fresh
    /// rows' prompt states. k samples of one prompt share its last hidden state: its logits are computed once, then the
    /// row is repeated.
    /// </summary>
    private Tensor Logits(List<Tensor> inputs, int m, List<Tensor> fresh)
    {
        var n = rows.Count;
        Tensor logits;
        if (m == n) logits = head.Logits(inputs.Count == 1 ? inputs[0] : cat(inputs, 0));
        else
        {
            logits = head.Logits(cat([.. inputs, .. fresh], 0));
            var pick = new long[n];
            for (var r = 0; r < n; r++) pick[r] = r < m ? r : m + rows[r].Fresh;
            if (fresh.Count != n - m) logits = logits.index_select(0, tensor(pick, device: model.Device));
        }
        return logits.to(ScalarType.Float32);
    }

    /// <summary>Picks rows first..first+count-1 of <paramref name="logits"/> with their own random streams: 3 floats per row (token, raw and sampling log-prob).</summary>
    private float[] PickRows(Tensor logits, int first, int count)
    {
        var rngs = new RowRandom[count];
        for (var j = 0; j < count; j++) rngs[j] = rows[first + j].Random;
        var part = count == logits.shape[0] ? logits : logits.narrow(0, first, count);
        var (token, raw, sampled) = Sampler.Pick(part, options.Sampling, rngs);
        return HostFloats(stack([token.to(ScalarType.Float32), raw, sampled], 1)); // one device->host copy
    }

    /// <summary>Appends row j of a group's picks (token, raw and sampling log-prob) to <paramref name="row"/>, stamped with the version of its logits.</summary>
    private void Append(Row row, float[] host, int j)
    {
        var t = (int)host[j * 3];
        row.Tokens.Add(t);
        row.Raw.Add(host[j * 3 + 1]);
        row.Sampled.Add(host[j * 3 + 2]);
        row.Versions.Add(row.Fresh >= 0 ? row.FreshVersion : PolicyVersion);
        row.Pending = t;
        if (stop.Contains(t)) row.Stopped = true;
    }

    /// <summary>Records finished rows in their groups, frees their slots and returns groups that are now complete.</summary>
    private void Retire(List<GeneratedGroup> completed)
    {
        foreach (var row in rows)
        {
            if (!row.Finished || row.Left) continue;
            var g = row.Group;
            g.Results[row.Sample] = new GeneratedSample(row.Tokens.ToArray(), row.Raw.ToArray(), row.Sampled.ToArray(),
                Truncated: !row.Stopped, row.Versions[0]) { TokenVersions = row.Versions.ToArray() };
            if (--g.Remaining == 0)
            {
                groups.Remove(g.Request.Id);
                completed.Add(new GeneratedGroup(g.Request.Id, g.Results!));
            }
            row.Left = true; // recorded: leave
        }
        Compact();
    }

    /// <summary>Removes rows that left, moving the last row into each hole so rows 0..n-1 stay contiguous.</summary>
    private void Compact()
    {
        var i = 0;
        while (i < rows.Count)
        {
            if (!rows[i].Left) { i++; continue; }
            var last = rows.Count - 1;
            if (i != last)
            {
                cache.CopySlot(last, i, rows[last].KvLength);
                rows[i] = rows[last];
            }
            rows.RemoveAt(last);
        }
    }

    /// <summary>Recompute: the KV of every running row (all its tokens but the last sampled) under the current weights.</summary>
    private void RecomputeRunning()
    {
        var clock = Stopwatch.StartNew();
        for (var slot = 0; slot < rows.Count; slot++)
        {
            var row = rows[slot];
            var context = row.Group.Request.Prompt.Concat(row.Tokens.Take(row.Tokens.Count - 1)).ToArray();
            for (var done = 0; done < context.Length;)
            {
                var take = Math.Min(Math.Min(options.PrefillChunkTokens, PrefillPiece), context.Length - done);
                PrefillChunk(slot, context, done, take);
                done += take;
            }
        }
        // A prompt half prefilled with the old weights starts again, and so do waiting samples' cached prompt states.
        if (prefilling is not null) prefilling.Done = 0;
        foreach (var p in waiting) p.DropHidden();
        Counters.PrefillSeconds += clock.Elapsed.TotalSeconds;
    }

    /// <summary>Tokens start..start+count-1 of one sequence into its slot; returns their hidden states (1, count, d).</summary>
    private Tensor PrefillChunk(int slot, IReadOnlyList<int> tokens, int start, int count)
    {
        var ids = new long[count];
        var positions = new long[count];
        for (var j = 0; j < count; j++) { ids[j] = tokens[start + j]; positions[j] = start + j; }
        var width = start + count;
        var visible = new bool[count * width]; // query j (position start+j) sees keys 0..start+j
        for (var j = 0; j < count; j++) Array.Fill(visible, true, j * width, start + j + 1);
        var device = model.Device;
        cache.PlanPrefill(slot, start, count);
        Counters.PrefillTokens += count;
        return model.Forward(tensor(ids, [1, count], device: device), tensor(positions, [1, count], device: device),
            tensor(visible, [1, 1, count, width], device: device), cache);
    }

    private static float[] HostFloats(Tensor t)
    {
        using var cpu = t.contiguous().cpu();
        return MemoryMarshal.Cast<byte, float>(cpu.bytes).ToArray();
    }

    public void Dispose()
    {
        foreach (var p in waiting) p.DropHidden();
        cache.Dispose();
        head.Dispose();
    }

    /// <summary>
    /// Samples of a request not yet in a slot. <see cref="Hidden"/>: the prompt's last hidden state (1, d) when the
    /// prompt was prefilled already and these samples found no free slot then (computed by weights <see cref="HiddenVersion"/>).
    /// </summary>
    private sealed class Pending(GenerationRequest request, List<int> samples, Tensor? hidden = null, long hiddenVersion = 0)
    {
        public GenerationRequest Request { get; } = request;
        public List<int> Samples { get; } = samples;
        public Tensor? Hidden { get; private set; } = hidden;
        public long HiddenVersion { get; } = hiddenVersion;

        /// <summary>Hands the hidden state to the caller, who disposes it.</summary>
        public Tensor TakeHidden()
        {
            var h = Hidden!;
            Hidden = null;
            return h;
        }

        public void DropHidden()
        {
            Hidden?.Dispose();
            Hidden = null;
        }
    }

    private sealed class Prefill(Pending pending, int Slot)
    {
        public Pending Pending { get; } = pending;
        public int Slot { get; } = Slot;
        public int Done { get; set; }
    }

    private sealed class Group(GenerationRequest request, long order)
    {
        public GenerationRequest Request { get; } = request;
        public long Order { get; } = order;
        public GeneratedSample[] Results { get; } = new GeneratedSample[request.Samples];
        public int Remaining { get; set; } = request.Samples;
    }

    private sealed class Row(Group group, int sample, RowRandom random, int promptLength, int maxNewTokens)
    {
        public Group Group { get; } = group;
        public int Sample { get; } = sample;
        public RowRandom Random { get; } = random;
        public List<int> Tokens { get; } = [];
        public List<float> Raw { get; } = [];
        public List<float> Sampled { get; } = [];
        public List<long> Versions { get; } = [];
        /// <summary>Positions in the cache: the prompt and every sampled token but <see cref="Pending"/>.</summary>
        public int KvLength { get; set; } = promptLength;
        /// <summary>The last sampled token, fed to the next decode step.</summary>
        public long Pending { get; set; }
        public bool Stopped { get; set; }
        /// <summary>Index of its prompt's hidden state in the step's fresh list until its first token is drawn; -1 after.</summary>
        public int Fresh { get; set; } = -1;
        /// <summary>The weights version of that hidden state (stamped on the first token).</summary>
        public long FreshVersion { get; set; }
        /// <summary>Left its slot (finished and recorded, or its request was cancelled).</summary>
        public bool Left { get; set; }
        public bool Finished => Stopped || Tokens.Count >= maxNewTokens;
    }
}
