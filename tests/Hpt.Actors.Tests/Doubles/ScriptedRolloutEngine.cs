using Hpt.Actors.Engines;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Tests.Doubles;

/// <summary>A rollout engine whose answers are "the prompt's answer" for even seqs and garbage for odd ones; can crash on demand.</summary>
public sealed class ScriptedRolloutEngine(Func<PromptWork, bool>? crashOn = null) : IRolloutEngine
{
    public long PolicyVersion { get; private set; }
    public List<long> Loaded { get; } = [];
    public bool Disposed { get; private set; }

    public void LoadPolicy(PolicySnapshot snapshot)
    {
        PolicyVersion = snapshot.Version;
        Loaded.Add(snapshot.Version);
    }

    public IReadOnlyList<Rollout> Generate(PromptWork work, int attempt, int samples)
    {
        if (crashOn?.Invoke(work) == true) throw new InvalidOperationException($"scripted crash on prompt {work.Seq}");
        return Enumerable.Range(0, samples)
            .Select(i => Fixtures.Rollout(i % 2 == 0 ? work.Answer : "nope", PolicyVersion))
            .ToArray();
    }

    public void Dispose() => Disposed = true;
}
