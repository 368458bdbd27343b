using Hpt.Actors.Coordinator;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;
using Hpt.Tasks;

namespace Hpt.Actors.Tests.Doubles;

public static class Fixtures
{
    public static IReadOnlyList<Problem> Problems(int count) =>
        Enumerable.Range(0, count).Select(i => new Problem($"p{i}", $"{i}+{i}=", $"{2 * i}", $"{2 * i}")).ToArray();

    /// <summary>The rollout side's view of fixture prompt <paramref name="seq"/> (no answer: see <see cref="Problem(long)"/>).</summary>
    public static PromptWork Work(long seq) => new(seq, 0, $"p{seq}", $"{seq}+{seq}=");

    /// <summary>The problem behind <see cref="Work"/>: its gold answer and demonstration.</summary>
    public static Problem Problem(long seq) => new($"p{seq}", $"{seq}+{seq}=", $"{2 * seq}", $"{2 * seq}");

    /// <summary>The answer of a fixture prompt "i+i=" (the engines see the prompt text, not the problem).</summary>
    public static string AnswerOf(string prompt) => $"{2 * long.Parse(prompt[..prompt.IndexOf('+')])}";

    public static Rollout Rollout(string text, long version) =>
        new(text, [1, 2], [3, 4, 5], [-0.1f, -0.2f, -0.3f], [version, version, version], Truncated: false);

    /// <summary>A journaled group of fixture prompt <paramref name="seq"/>, as the coordinator hands it to the gate.</summary>
    public static GroupScored Scored(long seq, IReadOnlyList<Rollout> rollouts, double[] rewards, int attempt = 1) =>
        new(seq, attempt, Problem(seq), new GroupVerified(new RolloutsGenerated(Work(seq), attempt, 0, "w", rollouts, 0), rewards, 1.0, 0));

    public static TrainOnPrompt RlItem(long seq, long version, int attempt = 1) => RlItem(seq, Rollout("x", version), attempt);

    public static TrainOnPrompt RlItem(long seq, Rollout rollout, int attempt = 1) =>
        new(Scored(seq, [rollout, Rollout("y", rollout.TokenVersions.Min())], [1, 0], attempt), Hpt.Core.Gating.GateRoute.RlOnly, 0.5, 0,
            [new TrainRow(rollout, null, 0.5, 1, 0)]);

    /// <summary>A group the gate routed to SFT: only the demonstration is trained, its rollouts (of <paramref name="version"/>) are dropped.</summary>
    public static TrainOnPrompt SftItem(long seq, long version) =>
        new(Scored(seq, [Rollout("x", version), Rollout("y", version)], [0, 0]), Hpt.Core.Gating.GateRoute.ExpertOnly, 0, 0,
            [new TrainRow(null, $"{2 * seq}", 0, 0, 1)]);

    public static StepMetrics Metrics(long step) =>
        new(step, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Weights for scripted engines, which load no model.</summary>
    public sealed record FakeWeights(long Bytes) : IPolicyWeights
    {
        public long LoadInto(Hpt.Model.CausalLM model, long version) =>
            throw new NotSupportedException("fake weights are for scripted engines, which have no model");
    }

    public static PolicySnapshot Snapshot(long version) => new(version, new FakeWeights(0));
}
