using System.CommandLine;
using Hpt.Cli.Reporting;

namespace Hpt.Cli.Commands;

/// <summary>`hpt compare --run LABEL=DIR ...`: a results table and curves over finished runs (seeds share a label).</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var runs = new Option<string[]>("--run") { Description = "LABEL=RUN_DIR of a finished run (repeatable; runs with the same label are seeds).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Markdown file to write (plots go next to it in plots/).", Required = true };
        var command = new Command("compare", "Compare finished runs: held-out accuracy and pass@k (mean ± sd over seeds), offline-data ratio, entropy, length.")
        {
            runs, output,
        };
        command.SetAction(parsed =>
        {
            var records = (parsed.GetValue(runs) ?? []).Select(spec =>
            {
                var eq = spec.IndexOf('=');
                if (eq <= 0) throw new ArgumentException($"--run '{spec}' must look like LABEL=RUN_DIR");
                return RunRecord.Load(spec[..eq], spec[(eq + 1)..]);
            }).ToArray();
            var path = RunComparison.Write(parsed.GetValue(output)!.FullName, records);
            Console.WriteLine(File.ReadAllText(path));
            Console.WriteLine($"written: {path}");
            return 0;
        });
        return command;
    }
}
