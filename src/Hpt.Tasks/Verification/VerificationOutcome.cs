namespace Hpt.Tasks.Verification;

/// <summary>
/// Why a verification ended as it did. Kept apart from the 0/1 reward so a broken verifier or a model that never
/// answers shows up in metrics instead of hiding as "wrong".
/// </summary>
public enum VerificationOutcome
{
    Correct,
    Wrong,

    /// <summary>The response has no extractable final answer (in strict mode: no complete \boxed{}).</summary>
    NoAnswer,

    /// <summary>The gold answer could not be extracted: a data problem, not the model's.</summary>
    NoGold,

    /// <summary>The work budget (steps or time) ran out; scored as not correct.</summary>
    BudgetExceeded,

    /// <summary>An unexpected internal error was caught; scored as not correct.</summary>
    Error,
}
