using Hpt.Training.Engines;

namespace Hpt.Actors.Tests.Doubles;

/// <summary>
/// A rollout engine that hangs (blocks its thread, as a wedged device or a deadlocked kernel would) on the prompts
/// <paramref name="hangOn"/> picks, until <see cref="Release"/>; otherwise it answers like <see cref="ScriptedRolloutEngine"/>.
/// </summary>
public sealed class HangingRolloutEngine(Func<RolloutRequest, bool> hangOn, ManualResetEventSlim release) : IRolloutEngine
{
    private readonly ScriptedRolloutEngine _inner = new();

    /// <summary>Prompts this engine is stuck on (or was, before the release).</summary>
    public List<long> Hung { get; } = [];

    public long PolicyVersion => _inner.PolicyVersion;

    public void LoadPolicy(PolicySnapshot snapshot) => _inner.LoadPolicy(snapshot);

    public IReadOnlyList<Rollout> Generate(RolloutRequest request)
    {
        if (hangOn(request))
        {
            lock (Hung) Hung.Add(request.Seq);
            release.Wait();
        }
        return _inner.Generate(request);
    }

    public void Dispose() => _inner.Dispose();
}
