using System.Diagnostics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Hpt.Model.Sampling;

/// <summary>
/// Continuous batching over a fixed slot KV cache. Requests (a prompt, n samples) wait in a queue; each
/// <see cref="Step"/> admits waiting prompts into free slots (prefill in chunks, at most
/// <see cref="ContinuousOptions.PrefillChunkTokens"/> prompt tokens per step while others decode), then runs one
/// batched decode forward over every sequence in flight. A sequence that ends leaves its slot at once; the next
/// step can give it to a waiting prompt. A prompt is prefilled once and its KV copied into the slots of its samples
/// (prefix sharing). Sample i of a request draws from its own stream (<see cref="GenerationRequest.RowSeeds"/>), one
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
    private readonly HashSet<int> stop;
    private readonly LinkedList<Pending> waiting = new();
    private readonly List<Row> rows = []; // rows[i] decodes in slot i; kept contiguous
    private readonly Dictionary<long, Group> groups = new();
    private Prefill? prefilling;
    private long submitted;
    private long kvVersion; // the version the cached KV of running rows was last (re)computed with, for Recompute

    public ContinuousGenerator(CausalLM model, ContinuousOptions options)
    {
        this.model = model;
        this.options = options.Validate();
        stop = options.Sampling.StopTokenIds.ToHashSet();
        cache = SlotKvCache.For(model, options.MaxSequences, options.SlotCapacity);
    }

    public ContinuousOptions Options => options;

    /// <summary>The weights version new tokens are stamped with. Set it after loading new weights, between two steps.</summary>
    public long PolicyVersion { get; set; }

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
            if (node.Value.Request.Id == requestId) waiting.Remove(node);
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
        if (options.KvAfterUpdate == KvAfterUpdate.Recompute && kvVersion != PolicyVersion) RecomputeRunning();
        kvVersion = PolicyVersion;

        var admitted = new List<Admission>();
        var completed = new List<GeneratedGroup>();
        Admit(admitted, completed);
        var decoded = rows.Count;
        if (decoded > 0) Decode(completed);
        return new GeneratorStep(completed, admitted, decoded);
    }

    /// <summary>Steps until every submitted request is complete; returns the groups in completion order.</summary>
    public IReadOnlyList<GeneratedGroup> RunToCompletion()
    {
        var all = new List<GeneratedGroup>();
        while (HasWork) all.AddRange(Step().Completed);
        return all;
    }

    private void Admit(List<Admission> admitted, List<GeneratedGroup> completed)
    {
        var clock = Stopwatch.StartNew();
        var budget = options.PrefillChunkTokens;
        while (true)
        {
            if (prefilling is null)
            {
                if (waiting.First is not { } head || rows.Count >= options.MaxSequences) break;
                waiting.RemoveFirst();
                prefilling = new Prefill(head.Value, Slot: rows.Count);
            }
            // With nothing decoding there is nothing to stall: prefill as much as fits.
            if (rows.Count > 0 && budget <= 0) break;
            var p = prefilling;
            var prompt = p.Pending.Request.Prompt;
            var take = Math.Min(prompt.Count - p.Done, rows.Count > 0 ? Math.Min(budget, options.PrefillChunkTokens) : options.PrefillChunkTokens);
            var hidden = PrefillChunk(p.Slot, prompt, p.Done, take);
            p.Done += take;
            budget -= take;
            if (p.Done < prompt.Count) continue;
            prefilling = null;
            StartSamples(p, hidden.select(1, take - 1), admitted);
            Retire(completed);
        }
        Counters.PrefillSeconds += clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// A prompt's prefill is complete: copy its KV into as many of its samples' slots as are free (the rest go back to
    /// the head of the queue and are prefilled again later) and draw each sample's first token from the shared logits.
    /// </summary>
    private void StartSamples(Prefill p, Tensor lastHidden, List<Admission> admitted)
    {
        var pending = p.Pending;
        var promptLen = pending.Request.Prompt.Count;
        var first = rows.Count; // the prefill slot is at or above it: rows only left while it ran
        var k = Math.Min(pending.Samples.Count, options.MaxSequences - first);
        for (var j = 0; j < k; j++)
            if (first + j != p.Slot) { cache.CopySlot(p.Slot, first + j, promptLen); Counters.SharedPrefixCopies++; }
        if (k < pending.Samples.Count) waiting.AddFirst(new Pending(pending.Request, pending.Samples.Skip(k).ToList()));

        var group = groups[pending.Request.Id];
        var newRows = new Row[k];
        for (var j = 0; j < k; j++)
        {
            var sample = pending.Samples[j];
            newRows[j] = new Row(group, sample, new RowRandom(pending.Request.RowSeeds[sample]), promptLen,
                pending.Request.MaxNewTokens ?? options.Sampling.MaxNewTokens);
        }
        var logits = model.LmHead(lastHidden).to(ScalarType.Float32).expand(k, -1); // (k, V): one prompt, k draws
        Sample(logits, newRows);
        for (var j = 0; j < k; j++)
        {
            rows.Add(newRows[j]);
            admitted.Add(new Admission(pending.Request.Id, newRows[j].Sample, first + j));
        }
    }

    /// <summary>One batched decode forward over rows 0..n-1: feed each row's last sampled token at its own position.</summary>
    private void Decode(List<GeneratedGroup> completed)
    {
        var clock = Stopwatch.StartNew();
        var n = rows.Count;
        var ids = new long[n];
        var positions = new long[n];
        var columns = new int[n];
        var attend = 0;
        for (var r = 0; r < n; r++)
        {
            ids[r] = rows[r].Pending;
            positions[r] = columns[r] = rows[r].KvLength;
            attend = Math.Max(attend, rows[r].KvLength + 1);
        }
        var visible = new bool[n * attend];
        for (var r = 0; r < n; r++) Array.Fill(visible, true, r * attend, rows[r].KvLength + 1);
        var device = model.Device;
        cache.PlanDecode(columns, attend);
        var hidden = model.Forward(tensor(ids, [n, 1], device: device), tensor(positions, [n, 1], device: device),
            tensor(visible, [n, 1, 1, attend], device: device), cache);
        foreach (var row in rows) row.KvLength++;
        var logits = model.LmHead(hidden.select(1, 0)).to(ScalarType.Float32);
        Sample(logits, rows);
        Counters.DecodeSteps++;
        Counters.DecodeRows += n;
        if (waiting.Count == 0 && prefilling is null) Counters.TailIdleSlotSteps += options.MaxSequences - n;
        Retire(completed);
        Counters.DecodeSeconds += clock.Elapsed.TotalSeconds;
    }

    /// <summary>Picks one token per row from (rows, V) fp32 logits and appends it, stamped with the current version.</summary>
    private void Sample(Tensor logits, IReadOnlyList<Row> batch)
    {
        var rngs = batch.Select(r => r.Random).ToArray();
        var (token, raw, sampled) = Sampler.Pick(logits, options.Sampling, rngs);
        var host = HostFloats(stack([token.to(ScalarType.Float32), raw, sampled], 1)); // one device->host copy
        for (var r = 0; r < batch.Count; r++)
        {
            var row = batch[r];
            var t = (int)host[r * 3];
            row.Tokens.Add(t);
            row.Raw.Add(host[r * 3 + 1]);
            row.Sampled.Add(host[r * 3 + 2]);
            row.Versions.Add(PolicyVersion);
            row.Pending = t;
            if (stop.Contains(t)) row.Stopped = true;
        }
        Counters.GeneratedTokens += batch.Count;
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
                var take = Math.Min(options.PrefillChunkTokens, context.Length - done);
                PrefillChunk(slot, context, done, take);
                done += take;
            }
        }
        // A prompt half prefilled with the old weights starts again.
        if (prefilling is not null) prefilling.Done = 0;
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

    public void Dispose() => cache.Dispose();

    /// <summary>Samples of a request not yet in a slot.</summary>
    private sealed record Pending(GenerationRequest Request, List<int> Samples);

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
        /// <summary>Left its slot (finished and recorded, or its request was cancelled).</summary>
        public bool Left { get; set; }
        public bool Finished => Stopped || Tokens.Count >= maxNewTokens;
    }
}
