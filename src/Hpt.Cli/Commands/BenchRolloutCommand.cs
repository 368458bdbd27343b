using System.CommandLine;
using Hpt.Benchmarks;

namespace Hpt.Cli.Commands;

/// <summary>
/// `hpt bench rollout`: the continuous-batching generator against the per-prompt (group) engine and against the
/// teacher-forced forward, in one run. The measuring lives in <see cref="RolloutBenchmark"/>; this file only maps options.
/// </summary>
public static class BenchRolloutCommand
{
    public static Command Create()
    {
        var defaults = new RolloutBenchmarkOptions();
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => defaults.Device };
        var dtype = new Option<string>("--dtype") { Description = "fp32 or bf16.", DefaultValueFactory = _ => defaults.DType };
        var dModel = new Option<int>("--d-model") { Description = "Model width.", DefaultValueFactory = _ => defaults.DModel };
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => defaults.Layers };
        var vocab = new Option<int>("--vocab") { Description = "Vocabulary size.", DefaultValueFactory = _ => defaults.Vocab };
        var prompts = new Option<int>("--prompts") { Description = "Prompts in the workload.", DefaultValueFactory = _ => defaults.Prompts };
        var samples = new Option<int>("--samples") { Description = "Samples per prompt (n).", DefaultValueFactory = _ => defaults.Samples };
        var meanResponse = new Option<int>("--mean-response") { Description = "Mean response length in tokens (geometric lengths: a long tail).", DefaultValueFactory = _ => defaults.MeanResponseTokens };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Longest response.", DefaultValueFactory = _ => defaults.MaxNewTokens };
        var sequences = new Option<int>("--max-sequences") { Description = "Slots of the continuous engine.", DefaultValueFactory = _ => defaults.MaxSequences };
        var chunk = new Option<int>("--prefill-chunk") { Description = "Prefill tokens between two decode steps.", DefaultValueFactory = _ => defaults.PrefillChunkTokens };
        var repeats = new Option<int>("--repeats") { Description = "Interleaved repeats of both engines (best is reported).", DefaultValueFactory = _ => defaults.Repeats };

        var overProvision = new Option<int>("--over-provision")
        {
            Description = "Extra prompts in flight in the over-provisioned run (steps of --prompts groups, unfinished ones carried over); 0 skips it.",
            DefaultValueFactory = _ => defaults.OverProvision,
        };
        var overProvisionSteps = new Option<int>("--over-provision-steps") { Description = "Steps of the over-provisioned run.", DefaultValueFactory = _ => defaults.OverProvisionSteps };

        var command = new Command("rollout", "Continuous batching against the per-prompt engine and the teacher-forced forward, same prompts and seeds.");
        foreach (var option in new Option[] { device, dtype, dModel, layers, vocab, prompts, samples, meanResponse, maxNew, sequences, chunk, repeats, overProvision, overProvisionSteps })
            command.Options.Add(option);
        command.SetAction(parsed =>
        {
            var options = defaults with
            {
                Device = parsed.GetValue(device)!,
                DType = parsed.GetValue(dtype)!,
                DModel = parsed.GetValue(dModel),
                Layers = parsed.GetValue(layers),
                Vocab = parsed.GetValue(vocab),
                Prompts = parsed.GetValue(prompts),
                Samples = parsed.GetValue(samples),
                MeanResponseTokens = parsed.GetValue(meanResponse),
                MaxNewTokens = parsed.GetValue(maxNew),
                MaxSequences = parsed.GetValue(sequences),
                PrefillChunkTokens = parsed.GetValue(chunk),
                Repeats = parsed.GetValue(repeats),
                OverProvision = parsed.GetValue(overProvision),
                OverProvisionSteps = parsed.GetValue(overProvisionSteps),
            };
            var result = RolloutBenchmark.Run(options, Console.Out);
            Console.WriteLine(result.ToJson());
            return 0;
        });
        return command;
    }
}
