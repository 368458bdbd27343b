using Hpt.Actors.Settings;
using Hpt.Tasks;
using Hpt.Tasks.Builtin;
using Hpt.Tasks.Datasets;
using Hpt.Tasks.Evaluation;

namespace Hpt.Actors.Hosting;

/// <summary>The run's data: training problems, held-out problems and the reward that checks a response.</summary>
public sealed record TrainingTask(string Name, IReadOnlyList<Problem> Train, IReadOnlyList<Problem> HeldOut, Func<Problem, string, double> Reward)
{
    public static TrainingTask Create(TaskSettings settings, int seed)
    {
        if (BuiltinTasks.Names.Contains(settings.Name, StringComparer.OrdinalIgnoreCase))
        {
            var task = BuiltinTasks.Create(settings.Name, settings.Difficulty);
            return new TrainingTask(task.Name, task.Generate(settings.TrainSize, seed, TaskSplit.Train),
                task.Generate(settings.EvalSize, seed + 1, TaskSplit.HeldOut), Rewards.For(task));
        }
        if (!File.Exists(settings.Name))
            throw new SettingsException("hpt.task.name",
                $"'{settings.Name}' is neither a built-in task ({string.Join(", ", BuiltinTasks.Names)}) nor an existing data file");
        var loaded = DatasetLoader.Load(settings.Name, new DatasetLoadOptions(FieldMapping.OpenR1)).Problems;
        var shuffled = loaded.ToArray();
        new Random(seed).Shuffle(shuffled);
        var eval = Math.Min(settings.EvalSize, shuffled.Length / 10);
        return new TrainingTask(Path.GetFileName(settings.Name), shuffled.Skip(eval).Take(settings.TrainSize).ToArray(),
            shuffled.Take(eval).ToArray(), Rewards.Math());
    }
}
