using Hpt.Training.Engines;

namespace Hpt.Actors.Tests.Doubles;

/// <summary>
/// A continuous engine without tensors: prompt s takes <c>stepsFor(s)</c> steps, one token per step, each stamped with
/// the policy version loaded at that step (so a weight update between two steps shows in the tokens). Can crash in a
/// step while a given prompt is in flight.
/// </summary>
public sealed class ScriptedContinuousEngine(int capacity, Func<long, int> stepsFor, Func<long, bool>? crashWhileHolding = null, int stepMilliseconds = 0)
    : IContinuousRolloutEngine
{
    /// <summary>
    /// Steps for a prompt that does not finish. A step of this engine takes microseconds, so a merely large count
    /// (a million) finishes within seconds, which a test thread delayed by load can outlast.
    /// </summary>
    public const int Never = int.MaxValue;

    private readonly List<(RolloutRequest Request, List<long> Versions)> _running = [];

    public long PolicyVersion { get; private set; }
    public int PromptCapacity => capacity;
    public bool HasWork => _running.Count > 0;
    public bool Disposed { get; private set; }
    public List<long> Submitted { get; } = [];
    /// <summary>The most prompts held at once.</summary>
    public int MostHeld { get; private set; }

    public void LoadPolicy(PolicySnapshot snapshot) => PolicyVersion = snapshot.Version;

    public IReadOnlyList<Rollout> Generate(RolloutRequest request) => throw new InvalidOperationException("continuous engines are stepped");

    public void Submit(RolloutRequest request)
    {
        // The interface's contract, as the torch engine enforces it.
        if (_running.Any(r => r.Request.Seq == request.Seq))
            throw new ArgumentException($"prompt {request.Seq} is already in flight on this engine");
        _running.Add((request, []));
        Submitted.Add(request.Seq);
        MostHeld = Math.Max(MostHeld, _running.Count);
    }

    public IReadOnlyList<FinishedRollouts> Step()
    {
        if (_running.Any(r => crashWhileHolding?.Invoke(r.Request.Seq) == true))
            throw new InvalidOperationException("scripted crash in a decode step");
        if (stepMilliseconds > 0) Thread.Sleep(stepMilliseconds);
        var done = new List<FinishedRollouts>();
        foreach (var r in _running.ToArray())
        {
            r.Versions.Add(PolicyVersion);
            if (r.Versions.Count < stepsFor(r.Request.Seq)) continue;
            _running.Remove(r);
            var versions = r.Versions.ToArray();
            done.Add(new FinishedRollouts(r.Request, Enumerable.Range(0, r.Request.Samples)
                .Select(_ => new Rollout("x", [1], versions.Select(_ => 3).ToArray(), versions.Select(_ => -0.1f).ToArray(), versions, false))
                .ToArray()));
        }
        return done;
    }

    public void Dispose() => Disposed = true;
}
