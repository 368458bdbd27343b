namespace Hpt.Tasks.Verification;

/// <summary>The answer text found in a response and the rule that found it ("boxed", "final-answer", "####", ...).</summary>
public sealed record ExtractedAnswer(string Text, string Method);
