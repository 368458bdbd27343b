using Hpt.Tasks.Builtin;

namespace Hpt.Tasks.Tests.Builtin;

public sealed class LadderTaskTests
{
    public static TheoryData<string> Families() => new(LadderTask.Families);

    [Theory]
    [MemberData(nameof(Families))]
    public void Each_level_makes_the_problem_bigger_and_the_demonstration_longer(string family)
    {
        var means = Enumerable.Range(1, 5).Select(level =>
        {
            var problems = LadderTask.Create(family, new LevelRange(level, level)).Generate(100, seed: 4);
            Assert.Equal(100, problems.Count);
            Assert.All(problems, p => Assert.Equal(level, LadderTask.LevelOf(p)));
            return (Prompt: problems.Average(p => p.Prompt.Length), Demo: problems.Average(p => p.Demonstration!.Length),
                Lines: problems.Average(p => p.Demonstration!.Split('\n').Length));
        }).ToArray();
        for (var level = 1; level < means.Length; level++)
        {
            Assert.True(means[level].Prompt > means[level - 1].Prompt, $"{family} level {level + 1} prompts are not longer");
            Assert.True(means[level].Demo > means[level - 1].Demo, $"{family} level {level + 1} demonstrations are not longer");
            Assert.True(means[level].Lines > means[level - 1].Lines, $"{family} level {level + 1} demonstrations have no more steps");
        }
    }

    [Fact]
    public void Arithmetic_level_is_the_operand_digit_count_and_countdown_level_the_number_count_minus_one()
    {
        foreach (var p in LadderTask.Create("arithmetic", new LevelRange(3, 3)).Generate(50, seed: 1))
        {
            var operands = p.Prompt.TrimEnd('=').Split('+', '*');
            Assert.Equal(3, operands[0].Length);
            if (p.Prompt.Contains('+')) Assert.Equal(3, operands[1].Length);
            else Assert.Single(operands[1]);
        }
        foreach (var p in LadderTask.Create("countdown", new LevelRange(3, 3)).Generate(50, seed: 1))
            Assert.Equal(4, CountdownTask.ParsePrompt(p.Prompt)!.Value.Numbers.Count);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_range_holds_every_level_in_equal_shares(string family)
    {
        var problems = LadderTask.Create(family, LevelRange.Parse("2-4")).Generate(90, seed: 9);
        Assert.Equal(90, problems.Count);
        var byLevel = problems.GroupBy(p => LadderTask.LevelOf(p)).ToDictionary(g => g.Key!.Value, g => g.Count());
        Assert.Equal(new Dictionary<int, int> { [2] = 30, [3] = 30, [4] = 30 }, byLevel);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_demonstration_at_every_level_scores_one_and_a_wrong_answer_zero(string family)
    {
        var task = LadderTask.Create(family, new LevelRange(1, LevelRange.MaxLevel));
        foreach (var split in new[] { TaskSplit.Train, TaskSplit.Validation, TaskSplit.HeldOut })
        foreach (var p in task.Generate(120, seed: 2, split))
        {
            Assert.Equal(1.0, task.Reward(p, p.Demonstration));
            var lines = p.Demonstration!.Split('\n');
            var wrong = string.Join('\n', lines[..^1].Append(FinalAnswerLine.Marker + (family == "arithmetic" ? p.Answer + "1" : p.Answer)));
            Assert.Equal(0.0, task.Reward(p, wrong));
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Train_validation_and_held_out_never_share_a_prompt(string family)
    {
        var task = LadderTask.Create(family, LevelRange.Parse("1-4"));
        var train = Enumerable.Range(0, 3).SelectMany(s => task.Generate(400, s)).Select(p => p.Prompt).ToHashSet();
        var validation = Enumerable.Range(0, 3).SelectMany(s => task.Generate(100, s, TaskSplit.Validation)).Select(p => p.Prompt).ToHashSet();
        var heldOut = Enumerable.Range(0, 3).SelectMany(s => task.Generate(100, s, TaskSplit.HeldOut)).Select(p => p.Prompt).ToHashSet();
        Assert.NotEmpty(validation);
        Assert.NotEmpty(heldOut);
        Assert.Empty(train.Intersect(validation));
        Assert.Empty(train.Intersect(heldOut));
        Assert.Empty(validation.Intersect(heldOut));
        Assert.All(validation, p => Assert.Equal(TaskSplit.Validation, SplitAssignment.WithValidation(p)));
        // The held-out side is the same partition the older built-in tasks use.
        Assert.All(heldOut, p => Assert.Equal(TaskSplit.HeldOut, SplitAssignment.Of(p)));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void The_out_of_distribution_split_is_the_next_level_and_held_out(string family)
    {
        var task = LadderTask.Create(family, LevelRange.Parse("1-4"));
        var ood = task.GenerateOutOfDistribution(60, seed: 3);
        Assert.Equal(60, ood.Count);
        Assert.All(ood, p => Assert.Equal(5, LadderTask.LevelOf(p)));
        Assert.All(ood, p => Assert.Equal(TaskSplit.HeldOut, SplitAssignment.WithValidation(p.Prompt)));
        var trainPrompts = task.Generate(400, seed: 3).Select(p => p.Prompt).ToHashSet();
        Assert.DoesNotContain(ood, p => trainPrompts.Contains(p.Prompt));
        Assert.Throws<InvalidOperationException>(() => LadderTask.Create(family, new LevelRange(1, LevelRange.MaxLevel)).GenerateOutOfDistribution(1, 1));
    }

    [Theory]
    [InlineData("3", 3, 3)]
    [InlineData("1-4", 1, 4)]
    [InlineData(" 2-5 ", 2, 5)]
    [InlineData("easy", 1, 2)]
    [InlineData("mixed", 1, 4)]
    [InlineData("hard", 3, 5)]
    public void Level_ranges_parse_numbers_and_the_difficulty_names(string text, int from, int to) =>
        Assert.Equal(new LevelRange(from, to), LevelRange.Parse(text));

    [Theory]
    [InlineData("0-2")]
    [InlineData("4-2")]
    [InlineData("1-7")]
    [InlineData("-1")]
    [InlineData("1-2-3")]
    [InlineData("two")]
    [InlineData("")]
    public void Bad_level_ranges_are_refused_with_the_accepted_forms(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => LevelRange.Parse(text));
        Assert.Contains("easy, mixed, hard", e.Message);
    }

    [Fact]
    public void The_plain_tasks_refuse_a_validation_split_instead_of_drawing_forever()
    {
        Assert.Throws<ArgumentException>(() => new ArithmeticTask().Generate(5, 1, TaskSplit.Validation));
        Assert.Throws<ArgumentException>(() => new CountdownTask().Generate(5, 1, TaskSplit.Validation));
    }

    [Fact]
    public void Ladder_tasks_are_built_in_by_name_with_levels_as_the_difficulty()
    {
        var task = Assert.IsType<LadderTask>(BuiltinTasks.Create("countdown-ladder", "2-3"));
        Assert.Equal(new LevelRange(2, 3), task.Levels);
        Assert.Equal("countdown-ladder", task.Name);
    }
}
