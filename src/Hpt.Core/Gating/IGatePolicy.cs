namespace Hpt.Core.Gating;

/// <summary>
/// Decides, per prompt, whether its rollouts are trained by RL, replaced by the expert demonstration, or mixed
/// (the paper's switch functions f(P), g(P), Eq. 9-10). Implementations are not thread-safe: one gate actor owns one.
/// </summary>
public interface IGatePolicy
{
    /// <summary>The configuration name (<c>algorithm.gate.policy</c>).</summary>
    string Name { get; }

    GateDecision Decide(GroupOutcome outcome);

    /// <summary>Mutable state as plain numbers, for persistence. Stateless policies return an empty map.</summary>
    IReadOnlyDictionary<string, double> ExportState() => new Dictionary<string, double>();

    /// <summary>Restores what <see cref="ExportState"/> returned. Stateless policies ignore it.</summary>
    void ImportState(IReadOnlyDictionary<string, double> state)
    {
    }
}
