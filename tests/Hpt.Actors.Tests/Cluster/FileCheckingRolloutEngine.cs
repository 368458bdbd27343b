using System.Collections.Concurrent;
using System.Text;
using Hpt.Actors.Cluster;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;
using Hpt.Actors.Tests.Doubles;

namespace Hpt.Actors.Tests.Cluster;

/// <summary>
/// A rollout engine for cluster specs: it loads only checksum-verified weight files (whose content the learner double
/// writes as "weights vN"), refuses to generate before its first policy, and records what it did. The hook runs
/// before each generation (slow-downs, crashes).
/// </summary>
public sealed class FileCheckingRolloutEngine(Action<RolloutRequest>? beforeGenerate = null) : IRolloutEngine
{
    public long PolicyVersion { get; private set; } = -1;
    public ConcurrentQueue<long> Loaded { get; } = new();
    public ConcurrentQueue<(long Seq, long Version)> Generated { get; } = new();

    public static string Content(long version) => $"weights v{version}";

    public static Action<string> Writer(ILearnerEngine engine) => path => File.WriteAllText(path, Content(engine.PolicyVersion));

    public void LoadPolicy(PolicySnapshot snapshot)
    {
        var bytes = snapshot.Weights as VerifiedWeightBytes
                    ?? throw new InvalidOperationException($"expected verified file bytes, got {snapshot.Weights.GetType().Name}");
        var text = Encoding.UTF8.GetString(bytes.Data);
        if (text != Content(snapshot.Version)) throw new InvalidDataException($"weights of v{snapshot.Version} contain '{text}'");
        PolicyVersion = snapshot.Version;
        Loaded.Enqueue(snapshot.Version);
    }

    public IReadOnlyList<Rollout> Generate(RolloutRequest request)
    {
        if (PolicyVersion < 0) throw new InvalidOperationException("asked to generate before any policy was loaded");
        beforeGenerate?.Invoke(request);
        Generated.Enqueue((request.Seq, PolicyVersion));
        var answer = Fixtures.AnswerOf(request.Prompt);
        return Enumerable.Range(0, request.Samples).Select(i => Fixtures.Rollout(i % 2 == 0 ? answer : "nope", PolicyVersion)).ToArray();
    }

    public void Dispose() { }
}
