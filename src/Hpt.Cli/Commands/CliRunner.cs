using System.CommandLine;

namespace Hpt.Cli.Commands;

/// <summary>Runs the parsed command; turns expected failures into one clear line and a non-zero exit code.</summary>
public static class CliRunner
{
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Print stack traces on errors.", Recursive = true };

    public static int Run(RootCommand root, string[] args)
    {
        root.Options.Add(Verbose);
        var parsed = root.Parse(args);
        try
        {
            // Our handler, not System.CommandLine's: one line without --verbose, the stack trace with it.
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (!parsed.GetValue(Verbose))
        {
            Console.Error.WriteLine($"hpt: error: {Describe(e)}");
            return 1;
        }
    }

    private static string Describe(Exception e) =>
        e is AggregateException { InnerException: not null } agg ? Describe(agg.InnerException!) : e.Message;
}
