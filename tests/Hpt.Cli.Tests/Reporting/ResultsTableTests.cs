using Hpt.Cli.Reporting;
using Spectre.Console;
using static Hpt.Cli.Tests.Reporting.ReportingFixtures;

namespace Hpt.Cli.Tests.Reporting;

public sealed class ResultsTableTests
{
    [Fact]
    public void Markdown_states_the_size_and_every_figure()
    {
        var md = ResultsTable.ToMarkdown(Before, After);

        Assert.Contains("arith: 16 problems, n = 8 samples per problem", md);
        Assert.Contains("| metric | before | after | change |", md);
        Assert.Contains("| accuracy (greedy) | 25.0% (4/16) | 37.5% (6/16) | +12.5 pp |", md);
        Assert.Contains("| avg@8 | 20.0% | 40.0% | +20.0 pp |", md);
        Assert.Contains("| pass@1 | 20.0% | 40.0% | +20.0 pp |", md);
        Assert.Contains("| pass@4 | 50.0% | 70.0% | +20.0 pp |", md);
        Assert.Contains("| pass@8 | 70.0% | 87.5% | +17.5 pp |", md);
        Assert.DoesNotContain("pass@3", md);
    }

    [Fact]
    public void With_only_a_final_evaluation_there_is_no_change_column()
    {
        var md = ResultsTable.ToMarkdown(null, After);

        Assert.Contains("| metric | after |", md);
        Assert.DoesNotContain("change", md);
        Assert.Contains("| pass@2 | 50.0% |", md);
    }

    [Fact]
    public void Results_of_different_sizes_are_captioned_separately()
    {
        var small = Before with { Problems = 8 };

        Assert.Contains("before: arith, 8 problems, n = 8; after: arith, 16 problems, n = 8",
            ResultsTable.ToMarkdown(small, After));
    }

    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(6, new[] { 1, 2, 4, 6 })]
    [InlineData(8, new[] { 1, 2, 4, 8 })]
    public void Pass_at_k_columns_are_powers_of_two_then_n(int n, int[] expected) =>
        Assert.Equal(expected, ResultsTable.Ks(n));

    [Fact]
    public void Spectre_table_renders_the_figures()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 120;

        console.Write(ResultsTable.ToSpectreTable(Before, After));

        var text = output.ToString();
        Assert.Contains("16 problems", text);
        Assert.Contains("37.5% (6/16)", text);
        Assert.Contains("+17.5 pp", text);
    }
}
