using Hpt.Tasks.Builtin;
using Xunit.Abstractions;

namespace Hpt.Tasks.Tests.Builtin;

public sealed class BuiltinTaskTests(ITestOutputHelper output)
{
    public static TheoryData<string> TaskNames() => new(BuiltinTasks.Names);

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void SameSeedGivesTheSameProblemsAndAnotherSeedDifferentOnes(string name)
    {
        var task = BuiltinTasks.Create(name);
        var a = task.Generate(200, seed: 11);
        var b = task.Generate(200, seed: 11);
        var c = task.Generate(200, seed: 12);
        Assert.Equal(200, a.Count);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Select(p => p.Prompt), c.Select(p => p.Prompt));
        Assert.Equal(a.Count, a.Select(p => p.Prompt).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void EveryDemonstrationScoresOne(string name)
    {
        foreach (var difficulty in new[] { "easy", "mixed", "hard" })
        {
            var task = BuiltinTasks.Create(name, difficulty);
            foreach (var p in task.Generate(300, seed: 3).Concat(task.Generate(100, seed: 3, TaskSplit.HeldOut)))
                Assert.True(task.Reward(p, p.Demonstration) == 1.0, $"{difficulty}: {p.Prompt}\n{p.Demonstration}");
        }
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void TrainAndHeldOutSplitsNeverShareAPrompt(string name)
    {
        var task = BuiltinTasks.Create(name);
        var train = Enumerable.Range(0, 5).SelectMany(seed => task.Generate(300, seed)).Select(p => p.Prompt).ToHashSet();
        var heldOut = Enumerable.Range(0, 5).SelectMany(seed => task.Generate(100, seed, TaskSplit.HeldOut)).Select(p => p.Prompt).ToList();
        Assert.NotEmpty(heldOut);
        Assert.DoesNotContain(heldOut, train.Contains);
        Assert.All(heldOut, p => Assert.Equal(TaskSplit.HeldOut, SplitAssignment.Of(p)));
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void PromptsAndDemonstrationsAreShortAndUseTheSmallCharacterSet(string name)
    {
        var task = BuiltinTasks.Create(name);
        var problems = task.Generate(500, seed: 5);
        foreach (var p in problems)
        {
            Assert.True(p.Prompt.Length <= 40, p.Prompt);
            Assert.True(p.Demonstration!.Length <= 120, p.Demonstration);
            Assert.All(p.Prompt + p.Demonstration, c => Assert.True(
                char.IsAsciiLetterOrDigit(c) || "+-*/=() \n".Contains(c), $"unexpected '{c}' in {p.Prompt}"));
        }
        output.WriteLine($"{name}: mean prompt {problems.Average(p => p.Prompt.Length):F1} chars, "
                         + $"mean demonstration {problems.Average(p => p.Demonstration!.Length):F1} chars; e.g. {problems[0].Prompt} => {problems[0].Demonstration!.Replace('\n', '|')}");
    }

    [Fact]
    public void MixedArithmeticSpansEasyAndHardPrompts()
    {
        var problems = new ArithmeticTask(ArithmeticDifficulty.Mixed).Generate(400, seed: 1);
        Assert.Contains(problems, p => p.Answer.Length <= 2);
        Assert.Contains(problems, p => p.Answer.Length >= 5);
        Assert.Contains(problems, p => p.Prompt.Contains('*'));
        Assert.Contains(problems, p => p.Prompt.Count(c => c == '+') == 2);
    }

    [Fact]
    public void ArithmeticScratchpadWorksColumnsFromTheOnes()
    {
        Assert.Equal("7+8=15\n5+6+1=12\n4+1=5\nans 525", ArithmeticTask.SumScratchpad([457, 68]));
        Assert.Equal("7*6=42\n5*6+4=34\n4*6+3=27\nans 2742", ArithmeticTask.MultiplyScratchpad(457, 6));
    }

    [Theory]
    [InlineData("ans 524")]
    [InlineData("ans 0525")]
    [InlineData("ans 525x")]
    [InlineData("ans")]
    [InlineData("525")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("ans 525\nans 526")]
    [InlineData("\0\0ans \u00ff\u00ff")]
    public void ArithmeticRewardRejectsCorruptedOrGarbageResponses(string? response)
    {
        var problem = new Problem("t", "457+68=", "525", null);
        Assert.Equal(0.0, new ArithmeticTask().Reward(problem, response));
    }

    [Fact]
    public void ArithmeticRewardAcceptsTheAnswerWithoutScratchpad() =>
        Assert.Equal(1.0, new ArithmeticTask().Reward(new Problem("t", "457+68=", "525", null), "junk\nans 525"));

    [Theory]
    [InlineData("ans (5*3)+7", 1.0)]
    [InlineData("ans 7+5*3", 1.0)]
    [InlineData("ans 3*5+7", 1.0)]
    [InlineData("ans (5*3)+8", 0.0)] // uses a number not given
    [InlineData("ans 5*3+7+0", 0.0)] // an extra number
    [InlineData("ans 15+7", 0.0)] // does not use the given numbers
    [InlineData("ans 22", 0.0)]
    [InlineData("ans (5*3+7", 0.0)] // unbalanced
    [InlineData("ans 5/0+7*3", 0.0)]
    [InlineData("ans ((((((((((((((((((((((((((((((((((5))))))))))))))))))))))))))))))))))*3+7", 0.0)]
    [InlineData("5*3=15\n15+7=22", 0.0)] // no final line
    [InlineData(null, 0.0)]
    public void CountdownRewardEvaluatesTheExpressionAndChecksTheNumbers(string? response, double expected)
    {
        var problem = new Problem("t", "3 5 7 to 22", "22", null);
        Assert.Equal(expected, new CountdownTask().Reward(problem, response));
    }

    [Fact]
    public void CountdownDemonstrationShowsEachStepThenTheExpression()
    {
        var p = new CountdownTask().Generate(1, seed: 2)[0];
        var lines = p.Demonstration!.Split('\n');
        var numbers = CountdownTask.ParsePrompt(p.Prompt)!.Value.Numbers;
        Assert.Equal(numbers.Count - 1, lines.Length - 1);
        Assert.StartsWith(FinalAnswerLine.Marker, lines[^1]);
        Assert.EndsWith("=" + p.Answer, lines[^2]);
    }
}
