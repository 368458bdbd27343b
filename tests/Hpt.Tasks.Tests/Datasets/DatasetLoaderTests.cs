using Hpt.Tasks.Datasets;
using Parquet.Serialization;

namespace Hpt.Tasks.Tests.Datasets;

public sealed class DatasetLoaderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hpt-tasks-tests-" + Guid.NewGuid().ToString("N"));

    public DatasetLoaderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sample(string name) => TestData.Copy(Path.Combine("datasets", name));

    private static IReadOnlyList<Problem> Load(string path, FieldMapping mapping) =>
        DatasetLoader.Load(path, new DatasetLoadOptions(mapping)).Problems;

    [Fact]
    public void Math500RowsMapToProblemWithAnswerAndSolution()
    {
        var problems = Load(TestData.Copy("math500-test.jsonl"), FieldMapping.Math);
        Assert.Equal(500, problems.Count);
        Assert.Equal("test/precalculus/807.json", problems[0].Id);
        Assert.Equal("\\left( 3, \\frac{\\pi}{2} \\right)", problems[0].Answer);
        Assert.Contains("\\boxed", problems[0].Demonstration);
    }

    [Fact]
    public void Gsm8kAnswerIsTheNumberAfterTheHashMarks()
    {
        var first = Load(TestData.Copy("gsm8k-test-first400.jsonl"), FieldMapping.Gsm8k)[0];
        Assert.Equal("18", first.Answer);
        Assert.StartsWith("Janet", first.Prompt);
    }

    [Fact]
    public void QwenStyleAimeAmcMinervaOlympiadRowsMap()
    {
        Assert.Equal("204", Load(Sample("aime24-sample.jsonl"), FieldMapping.Aime)[0].Answer);
        Assert.Equal("27", Load(Sample("amc23-sample.jsonl"), FieldMapping.Amc)[0].Answer); // JSON number 27.0
        var minerva = Load(Sample("minerva-sample.jsonl"), FieldMapping.Minerva);
        Assert.All(minerva, p => Assert.False(string.IsNullOrWhiteSpace(p.Answer)));
        var olympiad = Load(Sample("olympiadbench-sample.jsonl"), FieldMapping.OlympiadBench);
        Assert.Equal(["2", "\\frac{1}{2 n+2}", "2^{1009}"], olympiad.Select(p => p.Answer));
    }

    [Fact]
    public void JsonArraysLoadAndBoxedGoldsAreUnwrapped()
    {
        var hpt = Load(Sample("hpt-eval-aime24-sample.json"), FieldMapping.HptEval);
        Assert.Equal(["204", "113", "371"], hpt.Select(p => p.Answer));
        var aimeTrain = Load(Sample("aime-train-sample.json"), FieldMapping.Aime);
        Assert.Equal(3, aimeTrain.Count);
        Assert.All(aimeTrain, p => Assert.NotNull(p.Demonstration));
    }

    [Fact]
    public void BadJsonlLineFailsNamingFileAndLineOrIsSkippedAndCounted()
    {
        var path = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllLines(path, [
            """{"problem": "1+1?", "answer": "2"}""",
            """{"problem": "broken", "answer": """,
            """{"problem": "no answer"}""",
            """{"problem": "2+2?", "answer": "4"}""",
        ]);
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(path, new DatasetLoadOptions(FieldMapping.Math)));
        Assert.Equal(2, error.Line);
        Assert.Contains("bad.jsonl:2", error.Message);

        var result = DatasetLoader.Load(path, new DatasetLoadOptions(FieldMapping.Math) { BadRows = BadRowPolicy.Skip });
        Assert.Equal(["2", "4"], result.Problems.Select(p => p.Answer));
        Assert.Equal(2, result.Skipped);
        Assert.Contains(result.SkipReasons, r => r.Contains("bad.jsonl:3"));
    }

    [Fact]
    public void BadElementOfAJsonArrayIsReportedWithItsLine()
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, "[\n  {\"prompt\": \"a\", \"answer\": \"1\"},\n  {\"prompt\": \"b\"}\n]\n");
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(path, new DatasetLoadOptions(FieldMapping.HptEval)));
        Assert.Equal(3, error.Line);
    }

    public sealed class RewardModel
    {
        public string? ground_truth { get; set; }
    }

    public sealed class OpenR1Row
    {
        public string? prompt { get; set; }
        public string? target { get; set; }
        public RewardModel? reward_model { get; set; }
    }

    [Fact]
    public async Task OpenR1ParquetRowsMapPromptTargetAndGroundTruthAndBadRowsAreCounted()
    {
        var path = Path.Combine(_dir, "train.parquet");
        var rows = new List<OpenR1Row>
        {
            new() { prompt = "What is 2+3?", target = "2+3=5, so \\boxed{5}", reward_model = new RewardModel { ground_truth = "5" } },
            new() { prompt = null, target = "x", reward_model = new RewardModel { ground_truth = "1" } },
            new() { prompt = "What is 6*7?", target = "\\boxed{42}", reward_model = new RewardModel { ground_truth = "42" } },
        };
        await using (var stream = File.Create(path)) await ParquetSerializer.SerializeAsync(rows, stream);

        var result = DatasetLoader.Load(path, new DatasetLoadOptions(FieldMapping.OpenR1) { BadRows = BadRowPolicy.Skip });
        Assert.Equal(2, result.Problems.Count);
        Assert.Equal(1, result.Skipped);
        Assert.Equal(new Problem("train.parquet:1", "What is 2+3?", "5", "2+3=5, so \\boxed{5}"), result.Problems[0]);
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(path, new DatasetLoadOptions(FieldMapping.OpenR1)));
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void ChatStylePromptAndTargetListsReadTheirMessageContent()
    {
        var path = Path.Combine(_dir, "chat.jsonl");
        File.WriteAllText(path, """
            {"prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "1+1?"}], "target": [{"role": "assistant", "content": "\\boxed{2}"}], "ground_truth": "2"}
            """);
        var p = Load(path, FieldMapping.OpenR1).Single();
        Assert.Equal("1+1?", p.Prompt);
        Assert.Equal("\\boxed{2}", p.Demonstration);
        Assert.Equal("2", p.Answer);
    }

    [Fact]
    public void FullSharedBenchmarksLoadWithoutBadRowsWhenPresent()
    {
        if (TestData.SharedDirectory is not { } dir) return; // CI clone: covered by the samples above
        (string File, FieldMapping Mapping, int Count)[] sets =
        [
            ("math500/test.jsonl", FieldMapping.Math, 500), ("gsm8k/test.jsonl", FieldMapping.Gsm8k, 1319),
            ("aime24/test.jsonl", FieldMapping.Aime, 30), ("amc23/test.jsonl", FieldMapping.Amc, 40),
            ("minerva_math/test.jsonl", FieldMapping.Minerva, 272), ("olympiadbench/test.jsonl", FieldMapping.OlympiadBench, 675),
            ("hpt-eval/AIME25/test.json", FieldMapping.HptEval, 30), ("aime-train/train.json", FieldMapping.Aime, 975),
        ];
        foreach (var (file, mapping, count) in sets)
            Assert.Equal(count, Load(Path.Combine(dir, file), mapping).Count);
    }

    [Fact]
    public void A_multi_turn_chat_prompt_keeps_its_turns_and_a_single_user_turn_stays_plain_text()
    {
        var path = Path.Combine(_dir, "chat.jsonl");
        File.WriteAllLines(path,
        [
            """{"prompt":[{"role":"system","content":"LUFFY"},{"role":"user","content":"What is 1+1?"}],"reward_model":{"ground_truth":"2"}}""",
            """{"prompt":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}],"reward_model":{"ground_truth":"3"}}""",
        ]);
        var problems = Load(path, FieldMapping.OpenR1);
        Assert.Equal("What is 1+1?", problems[0].Prompt); // HPT drops the data's system message for the configured one
        Assert.Equal("""[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]""", problems[1].Prompt);
    }
}
