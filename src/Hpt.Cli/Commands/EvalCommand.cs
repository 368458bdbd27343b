using System.CommandLine;
using Hpt.Actors.Hosting;
using Hpt.Actors.Settings;
using Hpt.Cli.Reporting;
using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Commands;

/// <summary>`hpt eval --model DIR --data F [--protocol paper|small] [-o out.json]`: a model folder on a benchmark file.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "A Hugging Face model folder (config.json, safetensors, tokenizer.json).", Required = true };
        var data = new Option<FileInfo>("--data") { Description = "The benchmark file (.jsonl, .json, .parquet), read as hpt.task.data says.", Required = true };
        var protocol = new Option<string>("--protocol")
        {
            Description = "paper: T 0.6, top-p 0.95, 8192 new tokens, avg@32 on AIME/AMC (by benchmark name), avg@1 elsewhere. " +
                          "small: greedy plus 8 samples at T 1, 96 new tokens.",
            DefaultValueFactory = _ => "paper",
        };
        protocol.AcceptOnlyFromAmong(EvaluationChoice.Names);
        var benchmark = new Option<string?>("--benchmark") { Description = "The benchmark's name (picks avg@32 for aime/amc; default: the file's name)." };
        var samples = new Option<int?>("--samples", "-n") { Description = $"Samples per problem (pass@k for k up to it; at most {EvaluationChoice.MaxSamples})." };
        var maxNewTokens = new Option<int?>("--max-new-tokens") { Description = "The response budget, replacing the protocol's." };
        var limit = new Option<int>("--limit") { Description = "Evaluate only the first N problems (0 = all)." };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the results as JSON here." };
        var options = new TrainOptions();
        var command = new Command("eval", "Evaluate a Hugging Face model folder on a benchmark file with the paper's protocol (or a small one): " +
                                          "avg@n and unbiased pass@k.")
        {
            model, data, protocol, benchmark, samples, maxNewTokens, limit, device, output, options.Config, options.Set,
        };
        command.SetAction(parsed =>
        {
            var modelDir = parsed.GetValue(model)!.FullName;
            var dataFile = parsed.GetValue(data)!.FullName;
            var protocolName = parsed.GetValue(protocol)!;
            var name = parsed.GetValue(benchmark) ?? Path.GetFileNameWithoutExtension(dataFile);
            var chosen = EvaluationChoice.For(protocolName, name, parsed.GetValue(samples), parsed.GetValue(maxNewTokens));
            var configFile = parsed.GetValue(options.Config);
            if (configFile is not null && !configFile.Exists) throw new FileNotFoundException($"configuration file not found: {configFile.FullName}");
            var config = HptConfig.Load(configFile?.FullName, parsed.GetValue(options.Set) ?? []);
            var count = parsed.GetValue(limit);
            if (count < 0) throw new ArgumentException($"--limit: {count} is negative");

            var settings = $"{protocolName}: temperature {chosen.Sampling.Temperature}, top-p {chosen.Sampling.TopP}, " +
                           $"{chosen.Sampling.MaxNewTokens} new tokens, {chosen.Samples} samples per problem{(chosen.IncludeGreedy ? " + greedy" : "")}";
            using var shutdown = new ShutdownSignal();
            var result = ModelEvaluation.RunAsync(modelDir, dataFile, chosen, name, config, parsed.GetValue(device)!, count,
                    loaded => Console.WriteLine($"evaluating {modelDir} on {name} ({settings}); {loaded}"), shutdown.Token)
                .GetAwaiter().GetResult();
            Console.Write(EvaluationReport.ToMarkdown([result]));
            if (parsed.GetValue(output) is { } file)
            {
                File.WriteAllText(file.FullName, EvalJson.Format(result, chosen, protocolName, modelDir, dataFile));
                Console.WriteLine($"results: {file.FullName}");
            }
            return 0;
        });
        return command;
    }
}
