using System.Text.Json.Nodes;
using Hpt.Tasks.Datasets;
using Parquet.Serialization;

namespace Hpt.Tasks.Tests.Datasets;

public sealed class FieldMappingDetectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpt-detect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string? Detect(string json) => FieldMappingDetector.Detect(JsonNode.Parse(json)!.AsObject())?.Name;

    [Theory]
    [InlineData("""{"problem": "p", "solution": "s \\boxed{1}", "answer": "1", "level": 3}""", "math")]
    [InlineData("""{"question": "q", "answer": "so 3 + 4 = 7\n#### 7"}""", "gsm8k")]
    [InlineData("""{"prompt": [{"role": "user", "content": "q"}], "target": [{"role": "assistant", "content": "t"}], "reward_model": {"ground_truth": "1"}}""", "openr1")]
    [InlineData("""{"data_source": "gsm8k", "prompt": [{"role": "user", "content": "q"}], "reward_model": {"style": "rule", "ground_truth": "7"}, "extra_info": {"index": 0}}""", "verl")]
    [InlineData("""{"problem": "p", "solution": "s \\boxed{1}", "type": "Physics"}""", "minerva")]
    [InlineData("""{"question": "q", "final_answer": ["$1$"]}""", "olympiadbench")]
    [InlineData("""{"prompt": "q", "answer": "\\boxed{204}"}""", "hpt-eval")]
    [InlineData("""{"problem": "q", "answer": "025", "id": 1}""", "aime")]
    [InlineData("""{"text": "q", "label": 3}""", null)]
    public void First_row_fields_pick_the_preset(string row, string? preset) => Assert.Equal(preset, Detect(row));

    [Fact]
    public async Task Detection_on_the_shared_sets_picks_the_preset_that_loads_them()
    {
        if (TestData.SharedDirectory is not { } dir) return; // CI clone: the rows above cover the rules
        (string File, string Preset)[] sets =
        [
            ("math500/test.jsonl", "math"), ("math-train/train.jsonl", "math"), ("gsm8k/train.jsonl", "gsm8k"),
            ("minerva_math/test.jsonl", "minerva"), ("olympiadbench/test.jsonl", "olympiadbench"),
            ("hpt-eval/AIME24/test.json", "hpt-eval"), ("aime24/test.jsonl", "math"),
            // DeepScaleR's AIME rows have MATH's fields (problem, solution, answer).
            ("aime-train/train.json", "math"), ("amc23/test.jsonl", "aime"),
        ];
        foreach (var (file, preset) in sets)
            Assert.Equal(preset, (await DatasetLoader.DetectMappingAsync(Path.Combine(dir, file))).Name);
    }

    [Fact]
    public async Task A_row_no_preset_fits_fails_naming_its_fields()
    {
        var path = Path.Combine(_dir, "odd.jsonl");
        File.WriteAllText(path, "{\"text\": \"q\", \"label\": 3}\n");
        var e = await Assert.ThrowsAsync<DatasetException>(() => DatasetLoader.DetectMappingAsync(path));
        Assert.Contains("text, label", e.Message);
        Assert.Contains("odd.jsonl:1", e.Message);
    }

    public sealed class Message
    {
        public string? role { get; set; }
        public string? content { get; set; }
    }

    public sealed class RewardModel
    {
        public string? style { get; set; }
        public string? ground_truth { get; set; }
    }

    public sealed class ExtraInfo
    {
        public long index { get; set; }
        public string? answer { get; set; }
    }

    public sealed class VerlRow
    {
        public string? data_source { get; set; }
        public List<Message>? prompt { get; set; }
        public RewardModel? reward_model { get; set; }
        public ExtraInfo? extra_info { get; set; }
    }

    /// <summary>A row as verl's examples/data_preprocess/gsm8k.py writes it (chat prompt, rule reward, extra_info).</summary>
    [Fact]
    public async Task Verl_parquet_rows_map_chat_prompt_ground_truth_index_and_solution()
    {
        var path = Path.Combine(_dir, "train.parquet");
        var rows = new List<VerlRow>
        {
            new()
            {
                data_source = "openai/gsm8k",
                prompt = [new Message { role = "user", content = "Natalia sold 48 clips. How many? Let's think step by step." }],
                reward_model = new RewardModel { style = "rule", ground_truth = "72" },
                extra_info = new ExtraInfo { index = 7, answer = "48/2 = 24\n48+24 = 72\n#### 72" },
            },
        };
        await using (var stream = File.Create(path)) await ParquetSerializer.SerializeAsync(rows, stream);

        var mapping = await DatasetLoader.DetectMappingAsync(path);
        Assert.Equal("verl", mapping.Name);
        var p = DatasetLoader.Load(path, new DatasetLoadOptions(mapping)).Problems.Single();
        Assert.Equal("7", p.Id);
        Assert.StartsWith("Natalia", p.Prompt);
        Assert.Equal("72", p.Answer);
        Assert.EndsWith("#### 72", p.Demonstration);
    }
}
