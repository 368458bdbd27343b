using System.Text.Json;
using Hpt.Tasks.Builtin;
using Hpt.Tasks.Evaluation;

namespace Hpt.Tasks.Tests.Evaluation;

public sealed class EvaluationHarnessTests
{
    /// <summary>A fake model: greedy answers problem i correctly when i is even; sample j is correct when j &lt; i.</summary>
    private static Task<IReadOnlyList<IReadOnlyList<string>>> FakeSampler(
        IReadOnlyList<string> prompts, int samples, SamplingParameters parameters, CancellationToken ct)
    {
        IReadOnlyList<IReadOnlyList<string>> result = prompts.Select(prompt =>
        {
            var i = int.Parse(prompt[1..]);
            return (IReadOnlyList<string>)Enumerable.Range(0, samples)
                .Select(j => (parameters.IsGreedy ? i % 2 == 0 : j < i) ? $"\\boxed{{{i}}}" : "\\boxed{-1}").ToList();
        }).ToList();
        return Task.FromResult(result);
    }

    private static readonly IReadOnlyList<Problem> Benchmark =
        Enumerable.Range(0, 5).Select(i => new Problem($"p{i}", $"q{i}", i.ToString(), null)).ToList();

    [Fact]
    public async Task AvgAtKPassAtKAndGreedyComeFromTheSampledCompletions()
    {
        var harness = new EvaluationHarness(FakeSampler, batchSize: 2);
        var protocol = new EvaluationProtocol(new SamplingParameters(0.6, 0.95, 100), Samples: 4, IncludeGreedy: true);
        var result = await harness.EvaluateAsync("fake", Benchmark, Rewards.Math(), protocol);
        Assert.Equal([0, 1, 2, 3, 4], result.CorrectCounts);
        Assert.Equal(10 / 20.0, result.AverageAtK, 12);
        Assert.Equal(result.AverageAtK, result.PassAtK[0], 12);
        Assert.Equal(4 / 5.0, result.PassAtK[3], 12);
        Assert.Equal(3 / 5.0, result.GreedyAccuracy);
    }

    [Fact]
    public void PaperProtocolIsAvg32ForAimeAndAmcAndAvg1OtherwiseAtT06TopP095And8192Tokens()
    {
        var aime = EvaluationProtocol.Paper("AIME24");
        Assert.Equal(32, aime.Samples);
        Assert.Equal(32, EvaluationProtocol.Paper("amc23").Samples);
        Assert.Equal(1, EvaluationProtocol.Paper("MATH-500").Samples);
        Assert.Equal(new SamplingParameters(0.6, 0.95, 8192), aime.Sampling);
    }

    [Fact]
    public async Task ReportRendersMarkdownTableAndJson()
    {
        var harness = new EvaluationHarness(FakeSampler);
        var result = await harness.EvaluateAsync("fake", Benchmark, Rewards.Math(), EvaluationProtocol.Small(samples: 4));
        var markdown = EvaluationReport.ToMarkdown([result]);
        Assert.Contains("| benchmark | problems | avg@k | greedy | pass@1 | pass@2 | pass@4 |", markdown);
        Assert.Contains("| fake | 5 | 50.0 (avg@4) | 60.0 | 50.0 |", markdown);
        using var json = JsonDocument.Parse(EvaluationReport.ToJson([result]));
        Assert.Equal(4, json.RootElement[0].GetProperty("pass_at_k").GetArrayLength());
    }

    [Fact]
    public async Task BuiltinTaskRewardPlugsIntoTheHarness()
    {
        var task = new ArithmeticTask();
        var problems = task.Generate(10, seed: 1, TaskSplit.HeldOut);
        // An oracle that answers with the demonstrations scores 100%.
        var byPrompt = problems.ToDictionary(p => p.Prompt, p => p.Demonstration!);
        CompletionSampler oracle = (prompts, n, _, _) => Task.FromResult<IReadOnlyList<IReadOnlyList<string>>>(
            prompts.Select(p => (IReadOnlyList<string>)Enumerable.Repeat(byPrompt[p], n).ToList()).ToList());
        var result = await new EvaluationHarness(oracle).EvaluateAsync("arithmetic", problems, Rewards.For(task), EvaluationProtocol.Small(2));
        Assert.Equal(1.0, result.AverageAtK);
    }
}
