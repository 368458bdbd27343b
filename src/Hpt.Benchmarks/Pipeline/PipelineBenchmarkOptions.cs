namespace Hpt.Benchmarks;

/// <summary>
/// Settings of <c>hpt bench pipeline</c>. Everything else (model size, task, algorithm, sampling) comes from the
/// reference configuration plus <see cref="Overrides"/> (<c>key=value</c>, as <c>hpt train --set</c>).
/// </summary>
public sealed record PipelineBenchmarkOptions
{
    /// <summary>Training steps of every measured run (the first is excluded from the rates: start-up and JIT).</summary>
    public int Steps { get; init; } = 16;

    /// <summary>Prompts per training step (B).</summary>
    public int Prompts { get; init; } = 8;

    /// <summary>
    /// Rollouts per prompt (n). 16 rather than the reference 8: decoding a group is a batch, so a larger group costs the
    /// rollout little more while the learner trains on twice the rows, which keeps the two phases comparable in length.
    /// </summary>
    public int Samples { get; init; } = 16;

    /// <summary>Supervised warm-up steps that make the shared base model (as <c>hpt.task.warmup-steps</c>).</summary>
    public int WarmupSteps { get; init; } = 400;

    /// <summary>
    /// AdamW learning rate of the measured runs; null = <c>hpt.learner.learning-rate</c>. The warm-up uses
    /// <c>hpt.task.warmup-learning-rate</c>, as <see cref="Hpt.Actors.Hosting.TrainingRun"/> does.
    /// </summary>
    public double? LearningRate { get; init; }

    /// <summary>Each configuration is run this many times, interleaved; medians are reported.</summary>
    public int Repeats { get; init; } = 3;

    /// <summary>Held-out problems evaluated on the base model and after the first sync and async runs (0 = none).</summary>
    public int EvalProblems { get; init; } = 100;

    /// <summary>Samples per held-out problem (the greedy answer is evaluated too).</summary>
    public int EvalSamples { get; init; } = 4;

    /// <summary>
    /// Configuration overrides (<c>key=value</c>); the options above win over them, and the first setting of a key wins.
    /// Keep the task one the warmed-up model partly solves (the reference's easy arithmetic): on the "mixed" task it
    /// solves almost nothing, HPT's gate sends every prompt to SFT and the learner trains one demonstration row per prompt.
    /// </summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>A configuration that runs in seconds: for smoke tests, not for figures.</summary>
    public static PipelineBenchmarkOptions Quick { get; } = new()
    {
        Steps = 3,
        Prompts = 2,
        Samples = 2,
        WarmupSteps = 2,
        Repeats = 1,
        EvalProblems = 4,
        EvalSamples = 1,
        Overrides =
        [
            "model.tiny.hidden-size=32", "model.tiny.layers=1", "model.tiny.heads=2", "model.tiny.kv-heads=1",
            "model.tiny.intermediate-size=64", "rollout.max-new-tokens=8", "task.train-size=50", "task.difficulty=easy",
        ],
    };

    public void Validate()
    {
        if (Steps < 2) throw new ArgumentException($"--steps {Steps}: at least 2 (the first step is not timed)");
        if (Prompts < 1) throw new ArgumentException($"--prompts {Prompts}: at least 1");
        if (Samples < 1) throw new ArgumentException($"--samples {Samples}: at least 1");
        if (WarmupSteps < 0) throw new ArgumentException($"--warmup {WarmupSteps}: 0 or more");
        if (Repeats < 1) throw new ArgumentException($"--repeats {Repeats}: at least 1");
        if (EvalProblems < 0) throw new ArgumentException($"--eval-problems {EvalProblems}: 0 or more");
        if (EvalSamples < 1) throw new ArgumentException($"--eval-samples {EvalSamples}: at least 1");
        if (LearningRate is <= 0) throw new ArgumentException($"--learning-rate {LearningRate}: must be positive");
    }
}
