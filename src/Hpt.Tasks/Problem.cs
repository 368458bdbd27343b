namespace Hpt.Tasks;

/// <summary>
/// One verifiable problem: what every dataset loader and built-in task produces and what training and evaluation
/// consume. <paramref name="Answer"/> is the gold final answer (verified against responses); <paramref
/// name="Demonstration"/> is an expert solution for the SFT side of HPT, when the source has one.
/// </summary>
public sealed record Problem(string Id, string Prompt, string Answer, string? Demonstration);
