using Hpt.Actors.Protocol;
using Hpt.Tasks.Evaluation;

namespace Hpt.Actors.Hosting;

/// <summary>What a training run reports while it works (the CLI renders it; tests collect it).</summary>
public interface IRunObserver
{
    /// <summary>The run directory is claimed (before any step); metrics and reports go there.</summary>
    void Started(string runDirectory);

    void Message(string text);

    /// <summary>After every training step; called from an actor thread.</summary>
    void Progress(RunProgress progress);

    void Evaluated(string label, BenchmarkResult result);

    /// <summary>At start-up, once the data is read: what it came to (for the report).</summary>
    void DataLoaded(TaskDataSummary summary)
    {
    }

    /// <summary>After every training step: where each trained prompt's data came from. Called from an actor thread.</summary>
    void Provenance(StepProvenance provenance)
    {
    }
}
