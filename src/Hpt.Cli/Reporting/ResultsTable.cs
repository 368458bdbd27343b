using System.Globalization;
using System.Text;
using Hpt.Tasks.Evaluation;
using Spectre.Console;

namespace Hpt.Cli.Reporting;

/// <summary>
/// The before/after comparison of one benchmark: greedy accuracy, avg@n and pass@k for k = 1, 2, 4, ... and n.
/// The caption states the problem count and n, since a percentage over 16 problems means less than over 500.
/// Either side may be missing (only a final evaluation was run); the change column then drops out.
/// </summary>
public static class ResultsTable
{
    private sealed record Row(string Metric, string Before, string After, string Change);

    /// <summary>A markdown table, preceded by a one-line caption, for the report and for plain output.</summary>
    public static string ToMarkdown(BenchmarkResult? before, BenchmarkResult? after)
    {
        var rows = Rows(before, after);
        var both = before is not null && after is not null;
        var sb = new StringBuilder();
        sb.Append(Caption(before, after)).Append("\n\n");
        sb.Append("| metric |");
        if (before is not null) sb.Append(" before |");
        if (after is not null) sb.Append(" after |");
        if (both) sb.Append(" change |");
        sb.Append("\n|---|");
        if (before is not null) sb.Append("---:|");
        if (after is not null) sb.Append("---:|");
        if (both) sb.Append("---:|");
        sb.Append('\n');
        foreach (var row in rows)
        {
            sb.Append("| ").Append(row.Metric).Append(" |");
            if (before is not null) sb.Append(' ').Append(row.Before).Append(" |");
            if (after is not null) sb.Append(' ').Append(row.After).Append(" |");
            if (both) sb.Append(' ').Append(row.Change).Append(" |");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The same table as a Spectre widget, for a terminal.</summary>
    public static Table ToSpectreTable(BenchmarkResult? before, BenchmarkResult? after)
    {
        var both = before is not null && after is not null;
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(Caption(before, after)));
        table.AddColumn("metric");
        if (before is not null) table.AddColumn(new TableColumn("before").RightAligned());
        if (after is not null) table.AddColumn(new TableColumn("after").RightAligned());
        if (both) table.AddColumn(new TableColumn("change").RightAligned());
        foreach (var row in Rows(before, after))
        {
            var cells = new List<string> { Markup.Escape(row.Metric) };
            if (before is not null) cells.Add(Markup.Escape(row.Before));
            if (after is not null) cells.Add(Markup.Escape(row.After));
            if (both) cells.Add(ChangeMarkup(row.Change));
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    /// <summary>Prints the table: a Spectre table on a terminal, markdown to <paramref name="plainOutput"/> otherwise.</summary>
    public static void Print(BenchmarkResult? before, BenchmarkResult? after, TextWriter? plainOutput = null)
    {
        if (plainOutput is null && ProgressView.IsTerminal())
            AnsiConsole.Write(ToSpectreTable(before, after));
        else
            (plainOutput ?? Console.Out).Write(ToMarkdown(before, after));
    }

    /// <summary>pass@k columns: powers of two below n, then n itself.</summary>
    public static IReadOnlyList<int> Ks(int n)
    {
        var ks = new List<int>();
        for (var k = 1; k < n; k *= 2) ks.Add(k);
        if (n >= 1) ks.Add(n);
        return ks;
    }

    private static string Caption(BenchmarkResult? before, BenchmarkResult? after)
    {
        var results = new[] { before, after }.OfType<BenchmarkResult>().ToList();
        if (results.Count == 0) return "no evaluation results";
        var first = results[0];
        if (results.All(r => r.Benchmark == first.Benchmark && r.Problems == first.Problems && r.Samples == first.Samples))
            return Invariant($"{first.Benchmark}: {first.Problems} problems, n = {first.Samples} samples per problem");
        // Different sizes make the columns less comparable, so each side is named.
        return string.Join("; ", new[] { ("before", before), ("after", after) }
            .Where(s => s.Item2 is not null)
            .Select(s => Invariant($"{s.Item1}: {s.Item2!.Benchmark}, {s.Item2.Problems} problems, n = {s.Item2.Samples}")));
    }

    private static List<Row> Rows(BenchmarkResult? before, BenchmarkResult? after)
    {
        var rows = new List<Row>();
        if (before?.GreedyAccuracy is not null || after?.GreedyAccuracy is not null)
            rows.Add(MakeRow("accuracy (greedy)", before, after, r => r.GreedyAccuracy, withCount: true));
        var n = Math.Max(before?.Samples ?? 0, after?.Samples ?? 0);
        rows.Add(MakeRow(Invariant($"avg@{n}"), before, after, r => r.AverageAtK, withCount: false));
        foreach (var k in Ks(n))
            rows.Add(MakeRow(Invariant($"pass@{k}"), before, after,
                r => k <= r.PassAtK.Count ? r.PassAtK[k - 1] : null, withCount: false));
        return rows;
    }

    private static Row MakeRow(string metric, BenchmarkResult? before, BenchmarkResult? after,
        Func<BenchmarkResult, double?> value, bool withCount)
    {
        var b = before is null ? null : value(before);
        var a = after is null ? null : value(after);
        var change = b is { } x && a is { } y ? Invariant($"{(y - x) * 100:+0.0;-0.0;0.0} pp") : "-";
        return new Row(metric, Cell(before, b, withCount), Cell(after, a, withCount), change);
    }

    private static string Cell(BenchmarkResult? result, double? value, bool withCount)
    {
        if (result is null || value is not { } v) return "-";
        var percent = Invariant($"{v * 100:0.0}%");
        // Greedy accuracy is a plain fraction of problems, so the count behind it can be shown exactly.
        return withCount ? Invariant($"{percent} ({Math.Round(v * result.Problems)}/{result.Problems})") : percent;
    }

    private static string ChangeMarkup(string change) =>
        change.StartsWith('+') ? $"[green]{Markup.Escape(change)}[/]"
        : change.StartsWith('-') && change != "-" ? $"[red]{Markup.Escape(change)}[/]"
        : Markup.Escape(change);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
