using System.CommandLine;
using System.Text.Json.Nodes;
using Hpt.Cli.Commands;
using Hpt.Cli.Tests.Support;
using Hpt.Model;
using Hpt.Model.Checkpoints;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.Commands;

/// <summary>
/// `hpt eval` on a small random Qwen2 folder with Qwen's real tokenizer and a tiny JSONL: the JSON output carries the
/// protocol, avg@n and pass@k; bad input is one `hpt: error:` line.
/// </summary>
[Collection("console")]
public sealed class EvalCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-eval-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string ModelFolder() => RandomQwenFolder.Write(Path.Combine(_root, "model"));

    private string DataFile(int rows)
    {
        var path = Path.Combine(_root, "tiny.jsonl");
        File.WriteAllLines(path, Enumerable.Range(1, rows).Select(i => new JsonObject
        {
            ["problem"] = $"What is {i} + {i}?",
            ["answer"] = $"{2 * i}",
        }.ToJsonString()));
        return path;
    }

    private static (int Code, string Error) RunInProcess(params string[] args)
    {
        var root = new RootCommand("test") { EvalCommand.Create() };
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            return (CliRunner.Run(root, args), error.ToString());
        }
        finally
        {
            Console.SetError(saved);
        }
    }

    [Fact]
    public void Eval_of_a_hugging_face_folder_writes_the_protocol_avg_and_pass_at_k()
    {
        var model = ModelFolder();
        var data = DataFile(3);
        var json = Path.Combine(_root, "out.json");
        using var child = HptProcess.Start(["eval", "--model", model, "--data", data, "--protocol", "small", "--samples", "4",
            "--max-new-tokens", "4", "--set", "run.torch-threads=1", "-o", json]);
        var finished = child.WaitForExit(TimeSpan.FromMinutes(5));
        output.WriteLine(child.Output);
        Assert.True(finished, "hpt eval did not finish");
        Assert.Equal(0, child.ExitCode);
        Assert.Contains("pass@4", child.Output); // the markdown table

        var result = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        Assert.Equal(model, result["model"]!.GetValue<string>());
        Assert.Equal("tiny", result["benchmark"]!.GetValue<string>());
        var protocol = result["protocol"]!.AsObject();
        Assert.Equal("small", protocol["name"]!.GetValue<string>());
        Assert.Equal(1.0, protocol["temperature"]!.GetValue<double>());
        Assert.Equal(4, protocol["max_new_tokens"]!.GetValue<int>());
        Assert.Equal(3, result["problems"]!.GetValue<int>());
        Assert.Equal(4, result["samples"]!.GetValue<int>());
        var counts = result["correct_counts"]!.AsArray().Select(c => c!.GetValue<int>()).ToArray();
        Assert.Equal(3, counts.Length);
        Assert.All(counts, c => Assert.InRange(c, 0, 4));
        var avg = result["avg_at_4"]!.GetValue<double>();
        Assert.Equal(counts.Sum() / 12.0, avg, 12);
        var passAtK = result["pass_at_k"]!.AsObject();
        Assert.Equal(["1", "2", "4"], passAtK.Select(kv => kv.Key).ToArray());
        Assert.Equal(avg, passAtK["1"]!.GetValue<double>(), 12); // pass@1 is the mean correctness
        Assert.Equal(counts.Count(c => c > 0) / 3.0, passAtK["4"]!.GetValue<double>(), 12); // pass@n: any correct
        Assert.NotNull(result["greedy_accuracy"]);
    }

    [Fact]
    public void Paper_budget_beyond_the_models_context_is_one_error_line_naming_max_new_tokens()
    {
        // The test model has 512 positions; the paper protocol asks for 8192 new tokens.
        var (code, error) = RunInProcess("eval", "--model", ModelFolder(), "--data", DataFile(1));
        Assert.NotEqual(0, code);
        Assert.StartsWith("hpt: error: --max-new-tokens:", error);
        Assert.Contains("context of 512 tokens", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Missing_model_folder_is_one_error_line()
    {
        var (code, error) = RunInProcess("eval", "--model", Path.Combine(_root, "nowhere"), "--data", DataFile(1));
        Assert.NotEqual(0, code);
        Assert.Equal($"hpt: error: --model: model folder not found: {Path.Combine(_root, "nowhere")}", error.Trim());
    }

    [Fact]
    public void Unreadable_data_file_is_one_error_line_naming_it()
    {
        var model = Directory.CreateDirectory(Path.Combine(_root, "model")).FullName;
        File.WriteAllText(Path.Combine(model, "config.json"), "{}");
        var data = Path.Combine(_root, "bad.jsonl");
        File.WriteAllText(data, "this is not json\n");
        var (code, error) = RunInProcess("eval", "--model", model, "--data", data, "--protocol", "small");
        Assert.NotEqual(0, code);
        Assert.StartsWith("hpt: error: --data:", error);
        Assert.Contains("bad.jsonl", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
