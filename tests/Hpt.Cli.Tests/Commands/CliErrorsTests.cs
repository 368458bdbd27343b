using System.CommandLine;
using Hpt.Cli.Commands;

namespace Hpt.Cli.Tests.Commands;

/// <summary>Bad input on the command line: one clear line on stderr and a non-zero exit code, no stack trace.</summary>
[Collection("console")]
public sealed class CliErrorsTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var root = new RootCommand("test") { TrainCommand.Create() };
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

    [Theory]
    [InlineData("pipeline.max-stalenes=2", "hpt.pipeline.max-staleness")]
    [InlineData("pipeline.prompts-per-step=0", "hpt.pipeline.prompts-per-step")]
    [InlineData("algorithm.mask=clip", "configuration key 'hpt.algorithm.mask': 'clip' is not one of: none, ppo-clip")]
    [InlineData("algorithm.gate.gama=0.2", "configuration key 'hpt.algorithm.gate.gama': unknown key")]
    [InlineData("algorithm.eps-high=wide", "configuration key 'hpt.algorithm.eps-high'")]
    public void Bad_setting_is_one_line_naming_the_key(string assignment, string key)
    {
        var (code, error) = Run("train", "--set", assignment, "--run-dir", Path.Combine(Path.GetTempPath(), "hpt-never-created"));
        Assert.NotEqual(0, code);
        Assert.StartsWith("hpt: error:", error);
        Assert.Contains(key, error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Missing_configuration_file_is_one_line()
    {
        var (code, error) = Run("train", "--config", "/nonexistent/hpt.conf");
        Assert.NotEqual(0, code);
        Assert.Equal("hpt: error: configuration file not found: /nonexistent/hpt.conf", error.Trim());
    }
}
