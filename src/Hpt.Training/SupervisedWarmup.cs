using Hpt.Core.Configuration;
using Hpt.Model;
using Hpt.Tasks;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;

namespace Hpt.Training;

/// <summary>
/// Makes the demo's "base model": a few supervised steps on demonstrations, so that the policy solves some prompts
/// always, some sometimes and some never (the regime in which HPT's gate matters). Plain SFT through the same
/// learner engine the pipeline uses; it is not part of the journaled run.
/// </summary>
public static class SupervisedWarmup
{
    public static void Run(CausalLM model, PromptCodec codec, IReadOnlyList<Problem> problems, int steps, int promptsPerStep,
        TrainerOptions settings, int seed, Action<string> log)
    {
        if (steps == 0) return;
        var withDemo = problems.Where(p => p.Demonstration is not null).ToArray();
        if (withDemo.Length == 0) throw new InvalidOperationException("warm-up needs problems with demonstrations");
        new Random(seed).Shuffle(withDemo);
        using var engine = new TorchLearnerEngine(model, codec, AlgorithmFactory.Create(AlgorithmPresets.Sft),
            settings with { MiniBatches = 1 }, ownsModel: false);
        var next = 0;
        for (var step = 1; step <= steps; step++)
        {
            var batch = new List<StepPrompt>(promptsPerStep);
            for (var i = 0; i < promptsPerStep; i++, next++)
            {
                var p = withDemo[next % withDemo.Length];
                batch.Add(new StepPrompt(next, p.Prompt, [new TrainRow(null, p.Demonstration, 0, 0, 1)]));
            }
            var result = engine.Train(batch);
            if (step == 1 || step % 25 == 0 || step == steps)
                log($"warm-up {step}/{steps}: sft loss {result.Loss:0.000}");
        }
    }
}
