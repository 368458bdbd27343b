namespace Hpt.Tasks.Verification;

/// <summary>How a response's final answer is found.</summary>
public enum VerifierMode
{
    /// <summary>Last \boxed{} / "final answer is" / GSM8K "####" (rightmost wins), then "answer: X", a bare answer,
    /// and finally the last LaTeX environment or number. For evaluation.</summary>
    Default,

    /// <summary>Only the last \boxed{}/\fbox{} (with adjacent boxes joined). For RL rewards: no credit for an
    /// answer the model did not commit to.</summary>
    Strict,
}
