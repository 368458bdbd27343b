using System.CommandLine;
using Hpt.Tasks.Verification;

namespace Hpt.Cli.Commands;

/// <summary>`hpt verify`: checks answers in a JSONL file with the math verifier (the logic is in Hpt.Tasks).</summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input")
        {
            Description = "JSONL file; each line has \"gold\" and \"pred\" (an answer) or \"response\" (a full response).",
            Required = true,
        };
        var output = new Option<FileInfo?>("--output")
        {
            Description = "Where to write one JSON result line per input line (default: standard output).",
        };
        var mode = new Option<string>("--mode")
        {
            Description = "Answer extraction: default (boxed, final answer, answer:, ####, last formula) or strict (boxed only; " +
                          "also for \"pred\", which must then be boxed). A box cut off before its closing brace is no answer.",
            DefaultValueFactory = _ => "default",
        };
        mode.AcceptOnlyFromAmong("default", "strict");

        var command = new Command("verify", "Verify math answers: one {\"equal\": true|false, ...} line per input line, in order.");
        command.Options.Add(input);
        command.Options.Add(output);
        command.Options.Add(mode);
        command.SetAction(parseResult =>
        {
            var file = parseResult.GetValue(input)!;
            if (!file.Exists)
            {
                Console.Error.WriteLine($"hpt verify: input file not found: {file.FullName}");
                return 2;
            }
            var options = new VerifierOptions
            {
                Mode = parseResult.GetValue(mode) == "strict" ? VerifierMode.Strict : VerifierMode.Default,
            };
            using var reader = file.OpenText();
            var target = parseResult.GetValue(output);
            using var writer = target is null ? null : new StreamWriter(target.FullName);
            var summary = VerifyJsonl.Run(reader, writer ?? Console.Out, options);
            Console.Error.WriteLine($"hpt verify: {summary.Correct}/{summary.Lines} equal, {summary.Errors} malformed line(s)");
            return summary.Errors > 0 ? 1 : 0;
        });
        return command;
    }
}
