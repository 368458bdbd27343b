using System.CommandLine;
using Hpt.Benchmarks;

namespace Hpt.Cli.Commands;

/// <summary>
/// `hpt bench model`: decode tokens/s with and without the KV cache, teacher-forced forward tokens/s and forward+backward
/// MFU against the matmul peak measured in the same run. Readable lines, then one JSON line (the benchmark convention).
/// The measuring lives in <see cref="ModelBenchmark"/>; this file only maps options.
/// </summary>
public static class BenchModelCommand
{
    public static Command Create()
    {
        var defaults = new ModelBenchmarkOptions();
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => defaults.Device };
        var dtype = new Option<string>("--dtype") { Description = "fp32 or bf16.", DefaultValueFactory = _ => defaults.DType };
        var dModel = new Option<int>("--d-model") { Description = "Model width.", DefaultValueFactory = _ => defaults.DModel };
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => defaults.Layers };
        var vocab = new Option<int>("--vocab") { Description = "Vocabulary size.", DefaultValueFactory = _ => defaults.Vocab };
        var batch = new Option<int>("--batch") { Description = "Decode batch size.", DefaultValueFactory = _ => defaults.Batch };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated per row with the KV cache.", DefaultValueFactory = _ => defaults.NewTokens };
        var trainBatch = new Option<int>("--train-batch") { Description = "Forward+backward batch.", DefaultValueFactory = _ => defaults.TrainBatch };
        var trainSeq = new Option<int>("--train-seq") { Description = "Forward+backward sequence length.", DefaultValueFactory = _ => defaults.TrainSeq };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats (best is reported).", DefaultValueFactory = _ => defaults.Repeats };

        var command = new Command("model", "Decode (with/without KV cache), teacher-forced forward and forward+backward MFU of a TorchSharp decoder.");
        foreach (var option in new Option[] { device, dtype, dModel, layers, vocab, batch, newTokens, trainBatch, trainSeq, repeats })
            command.Options.Add(option);
        command.SetAction(parseResult =>
        {
            var options = defaults with
            {
                Device = parseResult.GetValue(device)!,
                DType = parseResult.GetValue(dtype)!,
                DModel = parseResult.GetValue(dModel),
                Layers = parseResult.GetValue(layers),
                Vocab = parseResult.GetValue(vocab),
                Batch = parseResult.GetValue(batch),
                NewTokens = parseResult.GetValue(newTokens),
                TrainBatch = parseResult.GetValue(trainBatch),
                TrainSeq = parseResult.GetValue(trainSeq),
                Repeats = parseResult.GetValue(repeats),
            };
            var result = ModelBenchmark.Run(options, Console.Out);
            Console.WriteLine(result.ToJson());
            return 0;
        });
        return command;
    }
}
