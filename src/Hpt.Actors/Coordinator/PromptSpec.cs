namespace Hpt.Actors.Coordinator;

/// <summary>A training problem as the coordinator issues it: the prompt, its gold answer and the expert demonstration.</summary>
public sealed record PromptSpec(string Id, string Prompt, string Answer, string? Demonstration);
