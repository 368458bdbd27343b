using Hpt.Actors.Coordinator;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Tests.Doubles;

public static class Fixtures
{
    public static IReadOnlyList<PromptSpec> Problems(int count) =>
        Enumerable.Range(0, count).Select(i => new PromptSpec($"p{i}", $"{i}+{i}=", $"{2 * i}", $"{2 * i}")).ToArray();

    public static PromptWork Work(long seq) => new(seq, 0, $"p{seq}", $"{seq}+{seq}=", $"{2 * seq}", $"{2 * seq}");

    /// <summary>The answer of a fixture prompt "i+i=" (the engines see the prompt text, not the problem).</summary>
    public static string AnswerOf(string prompt) => $"{2 * long.Parse(prompt[..prompt.IndexOf('+')])}";

    public static Rollout Rollout(string text, long version) =>
        new(text, [1, 2], [3, 4, 5], [-0.1f, -0.2f, -0.3f], [version, version, version], Truncated: false);

    public static TrainOnPrompt RlItem(long seq, long version, int attempt = 1) =>
        new(Work(seq), attempt, Hpt.Core.Gating.GateRoute.RlOnly, 0.5, 0, [new TrainRow(Rollout("x", version), null, 0.5, 1, 0)], [1, 0], 6)
        {
            Versions = new SampleVersions(version, version),
        };

    /// <summary>A group the gate routed to SFT: only the demonstration is trained, its rollouts (of <paramref name="version"/>) are dropped.</summary>
    public static TrainOnPrompt SftItem(long seq, long version) =>
        new(Work(seq), 1, Hpt.Core.Gating.GateRoute.ExpertOnly, 0, 0, [new TrainRow(null, $"{2 * seq}", 0, 0, 1)], [0, 0], 6)
        {
            Versions = new SampleVersions(version, version),
        };

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
