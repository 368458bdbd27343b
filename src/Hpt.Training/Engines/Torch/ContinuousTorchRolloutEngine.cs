using Hpt.Model;
using Hpt.Model.Sampling;

namespace Hpt.Training.Engines.Torch;

/// <summary>
/// A rollout worker's policy copy with continuous batching (<see cref="ContinuousGenerator"/>): up to max-sequences
/// samples from several prompts decode in one batch. Row i of prompt s draws from the same stream as in
/// <see cref="TorchRolloutEngine"/> (seeded by run seed, s and i), so the two modes sample the same tokens up to float
/// rounding. A new policy loaded between two steps applies to the next token of every running sequence.
/// </summary>
public sealed class ContinuousTorchRolloutEngine : IContinuousRolloutEngine
{
    private readonly TorchRolloutEngine _single; // loads weights; generates prompts too long for a slot
    private readonly PromptCodec _codec;
    private readonly int _runSeed;
    private readonly ContinuousGenerator _generator;
    private readonly Dictionary<long, (RolloutRequest Request, int[] Prompt)> _submitted = new(); // by generator request id
    private readonly HashSet<long> _seqs = [];
    private readonly List<FinishedRollouts> _early = [];
    private long _nextId;

    public ContinuousTorchRolloutEngine(CausalLM model, PromptCodec codec, ContinuousOptions options, int runSeed)
    {
        _codec = codec;
        _runSeed = runSeed;
        _single = new TorchRolloutEngine(model, codec, options.Sampling, runSeed);
        _generator = new ContinuousGenerator(model, options);
        _generator.PolicyVersion = -1;
        PromptCapacity = Math.Max(1, options.MaxSequences);
    }

    public long PolicyVersion => _single.PolicyVersion;

    /// <summary>
    /// Set by the worker's caller from samples per prompt: enough prompts for every slot, plus one waiting so a freed
    /// slot is refilled at once.
    /// </summary>
    public int PromptCapacity { get; private set; }

    /// <summary>Sizes <see cref="PromptCapacity"/> for prompts of <paramref name="samples"/> samples.</summary>
    public ContinuousTorchRolloutEngine ForSamplesPerPrompt(int samples)
    {
        PromptCapacity = (_generator.Options.MaxSequences + samples - 1) / samples + 1;
        return this;
    }

    public bool HasWork => _generator.HasWork || _early.Count > 0;

    public GeneratorCounters Counters => _generator.Counters;

    public void LoadPolicy(PolicySnapshot snapshot)
    {
        _single.LoadPolicy(snapshot);
        _generator.PolicyVersion = _single.PolicyVersion;
    }

    public IReadOnlyList<Rollout> Generate(RolloutRequest request) => _single.Generate(request);

    public void Submit(RolloutRequest request)
    {
        if (!_seqs.Add(request.Seq)) throw new ArgumentException($"prompt {request.Seq} is already in flight on this engine");
        var prompt = _codec.EncodePrompt(request.Prompt);
        if (prompt.Length > _generator.Options.MaxPromptTokens)
        {
            // Longer than a slot holds: generate it alone, as the group engine would, rather than refuse it.
            _early.Add(new FinishedRollouts(request, _single.Generate(request)));
            return;
        }
        var id = _nextId++;
        var seeds = Enumerable.Range(0, request.Samples).Select(i => TorchRolloutEngine.RowSeed(_runSeed, request.Seq, i)).ToArray();
        _generator.Submit(new GenerationRequest(id, prompt, seeds));
        _submitted[id] = (request, prompt);
    }

    public IReadOnlyList<FinishedRollouts> Step()
    {
        var finished = new List<FinishedRollouts>(_early);
        _early.Clear();
        if (_generator.HasWork)
            foreach (var group in _generator.Step().Completed)
            {
                _submitted.Remove(group.RequestId, out var s);
                finished.Add(new FinishedRollouts(s.Request, group.Samples.Select(g => new Rollout(
                    _codec.DecodeResponse(g.TokenIds), s.Prompt, g.TokenIds, g.SamplingLogProbs, g.VersionPerToken(), g.Truncated)).ToArray()));
            }
        foreach (var f in finished) _seqs.Remove(f.Request.Seq);
        return finished;
    }

    public void Dispose()
    {
        _generator.Dispose();
        _single.Dispose(); // disposes the model
    }
}
