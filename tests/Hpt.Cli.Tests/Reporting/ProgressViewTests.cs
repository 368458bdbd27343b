using Hpt.Actors.Protocol;
using Hpt.Cli.Reporting;
using Spectre.Console;
using static Hpt.Cli.Tests.Reporting.ReportingFixtures;

namespace Hpt.Cli.Tests.Reporting;

public sealed class ProgressViewTests
{
    [Fact]
    public void Plain_line_shows_the_step_numbers()
    {
        var output = new StringWriter();
        using (var view = new ProgressView("train", output))
            for (var i = 1; i <= 12; i++)
                view.Update(new RunProgress(i, 40, Step(i, reward: 0.41, offline: 0.25, entropy: 0.83, length: 17.2, samples: 4),
                    ElapsedSeconds: i));

        var line = output.ToString().TrimEnd().Split('\n')[^1];

        // Steps 1..12 took 12 s: 1 s a step, 28 steps left; 48 samples in 12 s.
        Assert.Equal("step 12/40  reward 0.41  offline 0.25  entropy 0.83  len 17.2  4.0 samples/s  eta 28s", line);
    }

    [Fact]
    public void Rates_count_only_the_steps_this_process_trained()
    {
        var line = new ProgressLine();
        // A run resumed at step 100 of 200: two steps in 20 s, 8 samples each.
        line.Observe(new RunProgress(101, 200, Step(101, samples: 8), ElapsedSeconds: 10));
        line.Observe(new RunProgress(102, 200, Step(102, samples: 8), ElapsedSeconds: 20));

        Assert.Equal(0.8, line.SamplesPerSecond!.Value, precision: 9);
        Assert.Equal(TimeSpan.FromSeconds(980), line.Eta);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(42, "42s")]
    [InlineData(80, "1m20s")]
    [InlineData(7500, "2h05m")]
    public void Durations_are_compact(int seconds, string expected) =>
        Assert.Equal(expected, ProgressLine.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Missing_numbers_print_as_a_dash()
    {
        var text = new ProgressLine().Observe(new RunProgress(1, 1, Step(1, entropy: double.NaN), ElapsedSeconds: 0));

        Assert.Contains("entropy -", text);
        Assert.Contains("- samples/s  eta -", text);
    }

    [Fact]
    public void Messages_and_updates_from_many_threads_make_whole_lines()
    {
        var output = new StringWriter();
        using (var view = new ProgressView("train", output))
            Parallel.For(1, 101, i =>
            {
                if (i % 2 == 0) view.Update(new RunProgress(i, 100, Step(i), ElapsedSeconds: i));
                else view.Message($"message {i}");
            });

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(100, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^(step \d+/100 .* eta \S+|message \d+)$", l));
    }

    [Fact]
    public void Live_bar_on_an_interactive_console_shows_the_last_step()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;

        using (var view = new ProgressView("train", console))
        {
            view.Message("loading [model]");
            view.Update(new RunProgress(3, 4, Step(3, reward: 0.41), ElapsedSeconds: 3));
        }

        var text = output.ToString();
        Assert.Contains("loading [model]", text);
        Assert.Contains("step 3/4  reward 0.41", text);
        Assert.Contains("75%", text);
    }
}
