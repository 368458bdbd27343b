using Hpt.Training.Engines;

namespace Hpt.Actors.Tests.Doubles;

/// <summary>A rollout engine whose answers are "the prompt's answer" for even seqs and garbage for odd ones; can crash on demand.</summary>
public sealed class ScriptedRolloutEngine(Func<RolloutRequest, bool>? crashOn = null) : IRolloutEngine
{
    public long PolicyVersion { get; private set; }
    public List<long> Loaded { get; } = [];
    public bool Disposed { get; private set; }

    public void LoadPolicy(PolicySnapshot snapshot)
    {
        PolicyVersion = snapshot.Version;
        Loaded.Add(snapshot.Version);
    }

    public IReadOnlyList<Rollout> Generate(RolloutRequest request)
    {
        if (crashOn?.Invoke(request) == true) throw new InvalidOperationException($"scripted crash on prompt {request.Seq}");
        var answer = Fixtures.AnswerOf(request.Prompt);
        return Enumerable.Range(0, request.Samples)
            .Select(i => Fixtures.Rollout(i % 2 == 0 ? answer : "nope", PolicyVersion))
            .ToArray();
    }

    public void Dispose() => Disposed = true;
}
