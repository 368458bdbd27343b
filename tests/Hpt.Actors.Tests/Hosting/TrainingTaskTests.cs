using Hpt.Training.Engines.Torch;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Model.Tokenizers;
using Hpt.Tasks.Evaluation;

namespace Hpt.Actors.Tests.Hosting;

/// <summary>How a data file becomes the run's problems and reward (hpt.task.data), and what a built-in task keeps.</summary>
public sealed class TrainingTaskTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpt-task-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllLines(path, lines);
        return path;
    }

    private static TaskSettings Settings(string name, params string[] overrides) =>
        TaskSettings.Create(HptConfig.Load(overrides: [$"task.name={name}", .. overrides]));

    /// <summary>Twenty MATH-style rows: "What is i+i?", answer 2i, a boxed solution.</summary>
    private string MathFile() => File("math.jsonl", Enumerable.Range(1, 20).Select(i =>
        $$"""{"problem": "What is {{i}}+{{i}}?", "solution": "{{i}}+{{i}} = \\boxed{{{2 * i}}}", "answer": "{{2 * i}}", "unique_id": "m{{i}}"}""").ToArray());

    [Fact]
    public void Data_file_reward_is_strict_by_default_so_an_unboxed_answer_scores_zero()
    {
        var task = TrainingTask.Create(Settings(MathFile()), seed: 1);
        var p = task.Train[0];
        Assert.Equal(1.0, task.Reward(p, $"so the sum is \\boxed{{{p.Answer}}}"));
        Assert.Equal(0.0, task.Reward(p, $"The answer is {p.Answer}"));
        // A truncated response ending in the right number is no committed answer.
        Assert.Equal(0.0, task.Reward(p, $"let me think ... 1, 2, {p.Answer}"));
        Assert.Equal(0.0, task.Reward(p, $"\\boxed{{{p.Answer}"));
    }

    [Fact]
    public void Reward_mode_default_also_credits_an_unboxed_final_answer_and_evaluation_always_does()
    {
        var strict = TrainingTask.Create(Settings(MathFile()), seed: 1);
        Assert.Equal(1.0, strict.HeldOutReward(strict.HeldOut[0], $"The answer is {strict.HeldOut[0].Answer}"));
        var lenient = TrainingTask.Create(Settings(MathFile(), "task.data.reward-mode=default"), seed: 1);
        Assert.Equal(1.0, lenient.Reward(lenient.Train[0], $"The answer is {lenient.Train[0].Answer}"));
        Assert.Equal("default", lenient.Summary.Reward);
        Assert.Equal("strict", strict.Summary.Reward);
    }

    [Fact]
    public void Builtin_task_keeps_its_own_answer_format()
    {
        var task = TrainingTask.Create(Settings("arithmetic"), seed: 1);
        var p = task.Train[0];
        Assert.Equal(1.0, task.Reward(p, p.Demonstration!));
        Assert.Equal("built-in", task.Summary.Mapping);
    }

    [Fact]
    public void Reward_mode_with_a_bad_value_names_the_key()
    {
        var e = Assert.Throws<SettingsException>(() => Settings(MathFile(), "task.data.reward-mode=boxed"));
        Assert.Equal("hpt.task.data.reward-mode", e.Key);
    }

    [Fact]
    public void Gsm8k_file_is_detected_and_its_worked_answer_is_the_demonstration()
    {
        var path = File("gsm8k.jsonl", Enumerable.Range(1, 10).Select(i =>
            $$"""{"question": "Tom has {{i}} apples and buys {{i}} more. How many?", "answer": "{{i}} + {{i}} = <<{{i}}+{{i}}={{2 * i}}>>{{2 * i}}\n#### {{2 * i}}"}""").ToArray());
        var task = TrainingTask.Create(Settings(path), seed: 1);
        Assert.Equal("gsm8k", task.Summary.Mapping);
        Assert.All(task.Train, p => Assert.EndsWith($"#### {p.Answer}", p.Demonstration));
        Assert.Equal(0, task.Summary.TrainWithoutDemonstration);
        // "#### N" is no boxed answer: under the strict reward SFT would teach a format RL scores 0, so it says so.
        Assert.Equal(task.Train.Count, task.Summary.DemonstrationsUnboxed);
        Assert.Contains(task.Summary.Lines(new DataFileLimits(0, 0)),
            l => l.StartsWith($"warning: {task.Train.Count} of {task.Train.Count} training demonstrations have no \\boxed{{}} answer"));
        Assert.Equal(0, TrainingTask.Create(Settings(path, "task.data.reward-mode=default"), seed: 1).Summary.DemonstrationsUnboxed);
        Assert.Equal(0, TrainingTask.Create(Settings(MathFile()), seed: 1).Summary.DemonstrationsUnboxed);
    }

    [Fact]
    public void File_without_demonstrations_warns_with_the_count_of_prompts_that_have_none()
    {
        var path = File("bare.jsonl", Enumerable.Range(1, 20).Select(i =>
            i % 4 == 0
                ? $$"""{"problem": "What is {{i}}+{{i}}?", "answer": "{{2 * i}}", "solution": "\\boxed{{{2 * i}}}"}"""
                : $$"""{"problem": "What is {{i}}+{{i}}?", "answer": "{{2 * i}}"}""").ToArray());
        var task = TrainingTask.Create(Settings(path, "task.data.preset=aime"), seed: 1);
        var expected = task.Train.Count(p => p.Demonstration is null);
        Assert.InRange(expected, 10, 18);
        Assert.Equal(expected, task.Summary.TrainWithoutDemonstration);
        var warning = Assert.Single(task.Summary.Lines(new DataFileLimits(0, 0)), l => l.Contains("no demonstration"));
        Assert.StartsWith($"warning: {expected} of {task.Train.Count} training prompts have no demonstration", warning);
    }

    [Fact]
    public void Explicit_field_names_replace_the_preset_fields()
    {
        var path = File("custom.jsonl", Enumerable.Range(1, 10).Select(i =>
            $$"""{"q": {"text": "What is {{i}}*2?"}, "gold": "{{2 * i}}", "worked": "{{i}}*2 = \\boxed{{{2 * i}}}", "key": "c{{i}}"}""").ToArray());
        var task = TrainingTask.Create(Settings(path, "task.data.preset=math", "task.data.prompt-fields=[q.text]",
            "task.data.answer-fields=[gold]", "task.data.demonstration-fields=[worked]", "task.data.id-fields=[key]"), seed: 1);
        var p = task.Train.Concat(task.HeldOut).Single(x => x.Id == "c3");
        Assert.Equal("What is 3*2?", p.Prompt);
        Assert.Equal("6", p.Answer);
        Assert.Equal("3*2 = \\boxed{6}", p.Demonstration);
        Assert.Equal("math with the configured fields", task.Summary.Mapping);
    }

    [Fact]
    public void Answer_source_reads_the_gold_from_a_solution_when_configured()
    {
        var path = File("solutions.jsonl", Enumerable.Range(1, 10).Select(i =>
            $$"""{"problem": "What is {{i}}+1?", "answer": "so it is \\boxed{{{i + 1}}}"}""").ToArray());
        var task = TrainingTask.Create(Settings(path, "task.data.preset=aime", "task.data.answer-source=last-boxed"), seed: 1);
        Assert.All(task.Train, p => Assert.Equal(p.Prompt["What is ".Length..^"+1?".Length], (int.Parse(p.Answer) - 1).ToString()));
    }

    [Fact]
    public void Bad_row_fails_naming_file_line_and_the_skip_key_or_is_skipped_and_counted()
    {
        var lines = Enumerable.Range(1, 12).Select(i => $$"""{"problem": "What is {{i}}?", "answer": "{{i}}", "solution": "\\boxed{{{i}}}"}""").ToList();
        lines.Insert(3, """{"problem": "no answer here"}""");
        lines.Insert(6, "{not json");
        var path = File("bad.jsonl", [.. lines]);
        var e = Assert.Throws<SettingsException>(() => TrainingTask.Create(Settings(path), seed: 1));
        Assert.Contains("bad.jsonl:4", e.Message);
        Assert.Contains("hpt.task.data.bad-rows = skip", e.Message);

        var task = TrainingTask.Create(Settings(path, "task.data.bad-rows=skip", "task.data.preset=math"), seed: 1);
        Assert.Equal(2, task.Summary.SkippedRows);
        Assert.Equal(14, task.Summary.Rows);
        Assert.Equal(12, task.Train.Count + task.HeldOut.Count);
        Assert.Contains(task.Summary.Lines(new DataFileLimits(0, 0)), l => l.StartsWith("warning: 2 of 14 rows"));
    }

    [Fact]
    public void Unknown_preset_names_the_key_and_the_known_ones()
    {
        var e = Assert.Throws<SettingsException>(() => Settings(MathFile(), "task.data.preset=mathx"));
        Assert.Equal("hpt.task.data.preset", e.Key);
        Assert.Contains("openr1", e.Message);
        Assert.Contains("verl", e.Message);
    }

    [Fact]
    public void Prompt_length_filter_drops_long_prompts_and_counts_them()
    {
        var path = File("lengths.jsonl", Enumerable.Range(1, 20).Select(i =>
            $$"""{"problem": "{{new string('x', i * 5)}}?", "answer": "{{i}}", "solution": "\\boxed{{{i}}}"}""").ToArray());
        var codec = new PromptCodec(new CharTokenizer());
        var limit = 51; // prompts of 5i+1 characters (plus BOS when the tokenizer has one)
        var task = TrainingTask.Create(Settings(path, $"task.data.max-prompt-tokens={limit}"), seed: 1, codec);
        var all = task.Train.Concat(task.HeldOut).ToList();
        Assert.All(all, p => Assert.True(codec.EncodePrompt(p.Prompt).Length <= limit));
        Assert.Equal(20 - all.Count, task.Summary.PromptsTooLong);
        Assert.True(task.Summary.PromptsTooLong > 0);
        Assert.Contains(task.Summary.Lines(new DataFileLimits(limit, 0)), l => l.Contains($"{task.Summary.PromptsTooLong} prompts longer than {limit} tokens"));
    }

    [Fact]
    public void Demonstration_truncation_cuts_sft_tokens_without_the_eos_and_counts_the_cut_ones()
    {
        var path = File("long.jsonl", Enumerable.Range(1, 20).Select(i =>
            $$"""{"problem": "What is {{i}}?", "answer": "{{i}}", "solution": "{{new string('y', i * 3)}} \\boxed{{{i}}}"}""").ToArray());
        var settings = Settings(path, "task.data.max-demonstration-tokens=30");
        Assert.Equal(30, settings.DemonstrationTokenLimit);
        var codec = new PromptCodec(new CharTokenizer()) { MaxResponseTokens = settings.DemonstrationTokenLimit };
        var task = TrainingTask.Create(settings, seed: 1, codec);
        var full = new PromptCodec(new CharTokenizer());
        var cut = task.Train.Where(p => full.EncodeResponse(p.Demonstration!).Length > 30).ToList();
        Assert.NotEmpty(cut);
        Assert.Equal(cut.Count, task.Summary.DemonstrationsTruncated);
        var ids = codec.EncodeResponse(cut[0].Demonstration!);
        Assert.Equal(30, ids.Length);
        Assert.NotEqual(codec.Tokenizer.EosId, ids[^1]);
        Assert.Equal(full.EncodeResponse(cut[0].Demonstration!)[..30], ids);
        var shortOne = task.Train.First(p => full.EncodeResponse(p.Demonstration!).Length <= 30);
        Assert.Equal(codec.Tokenizer.EosId, codec.EncodeResponse(shortOne.Demonstration!)[^1]);
        // Built-in tasks are not data files: the limit does not apply to them.
        Assert.Equal(0, Settings("arithmetic", "task.data.max-demonstration-tokens=30").DemonstrationTokenLimit);
    }

    private sealed class StartUp : IRunObserver
    {
        public List<string> Lines { get; } = [];
        public TaskDataSummary? Data { get; private set; }
        public void Started(string runDirectory) { }
        public void Message(string text) => Lines.Add(text);
        public void Progress(RunProgress progress) { }
        public void Evaluated(string label, BenchmarkResult result) { }
        public void DataLoaded(TaskDataSummary summary) => Data = summary;
    }

    [Fact]
    public void Start_up_names_the_data_warns_about_missing_demonstrations_and_hands_the_summary_to_the_report()
    {
        var path = File("nodemo.jsonl", Enumerable.Range(1, 20).Select(i => $$"""{"problem": "What is {{i}}?", "answer": "{{i}}"}""").ToArray());
        var settings = Settings(path);
        var task = TrainingTask.Create(settings, seed: 1);
        var observer = new StartUp();
        RunAssembly.ReportData(task, settings, observer);
        Assert.StartsWith($"data: {path} (aime): {task.Train.Count} training and {task.HeldOut.Count} held-out problems; reward: strict", observer.Lines[0]);
        Assert.Contains(observer.Lines, l => l.StartsWith($"warning: {task.Train.Count} of {task.Train.Count} training prompts have no demonstration"));
        Assert.Same(task.Summary, observer.Data);
    }
}
