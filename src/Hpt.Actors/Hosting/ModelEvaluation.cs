using Akka.Configuration;
using Hpt.Actors.Settings;
using Hpt.Tasks;
using Hpt.Tasks.Datasets;
using Hpt.Tasks.Evaluation;
using Hpt.Tasks.Verification;
using TorchSharp;

namespace Hpt.Actors.Hosting;

/// <summary>
/// `hpt eval`: one Hugging Face model folder on one data file, outside any training run. The file is read as
/// hpt.task.data says (presets, field names, bad rows), prompts are rendered as training renders them
/// (hpt.task.chat-template, system-prompt), and answers are checked by the math verifier's default extraction, as the
/// paper's evaluator and `hpt train`'s held-out evaluation.
/// </summary>
public static class ModelEvaluation
{
    /// <param name="config">The loaded configuration; its hpt.model.path is replaced by <paramref name="modelFolder"/>.</param>
    /// <param name="limit">Evaluate only the first this many problems (0 = all).</param>
    /// <param name="say">Told what is evaluated once every input has been checked.</param>
    public static async Task<BenchmarkResult> RunAsync(string modelFolder, string dataFile, EvaluationProtocol protocol, string benchmark,
        Config config, string device, int limit, Action<string> say, CancellationToken cancel)
    {
        if (!Directory.Exists(modelFolder)) throw new DirectoryNotFoundException($"--model: model folder not found: {modelFolder}");
        if (!File.Exists(Path.Combine(modelFolder, "config.json")))
            throw new FileNotFoundException($"--model: {modelFolder} is not a Hugging Face model folder (no config.json)");
        if (!File.Exists(dataFile)) throw new FileNotFoundException($"--data: data file not found: {dataFile}", dataFile);
        StartupChecks.Device("--device", device);

        var problems = Load(dataFile, DataFileSettings.Create(config), limit);
        var modelSettings = ModelSettings.Create(config) with { Path = modelFolder };
        var policy = PolicyFactory.Create(modelSettings, PromptSettings.Create(config));
        var context = policy.Config.MaxPositionEmbeddings;
        foreach (var problem in problems)
        {
            var tokens = policy.Codec.EncodePrompt(problem.Prompt).Length;
            if (tokens + protocol.Sampling.MaxNewTokens > context)
                throw new ArgumentException(
                    $"--max-new-tokens: the prompt of row '{problem.Id}' ({tokens} tokens) plus {protocol.Sampling.MaxNewTokens} new tokens exceed the model's " +
                    $"context of {context} tokens (max_position_embeddings); lower --max-new-tokens");
        }

        say($"{problems.Count} problems; prompts: {policy.Codec.Format.Describe()}");
        var run = RunSettings.Create(config);
        torch.set_num_threads(run.TorchThreads > 0 ? run.TorchThreads : Environment.ProcessorCount);
        using var model = policy.NewModel(device, run.Seed);
        // About 64 sequences per generate call whatever the sample count, so avg@32 does not hold 64 x 32 KV caches.
        var harness = new EvaluationHarness(ModelSampling.For(model, policy.Codec, (ulong)run.Seed + 17),
            batchSize: Math.Max(1, 64 / protocol.Samples));
        var reward = Rewards.Math(new MathVerifier(new VerifierOptions { Mode = VerifierMode.Default }));
        return await harness.EvaluateAsync(benchmark, problems, reward, protocol, cancel).ConfigureAwait(false);
    }

    private static IReadOnlyList<Problem> Load(string dataFile, DataFileSettings data, int limit)
    {
        try
        {
            var loaded = DatasetLoader.Load(dataFile, new DatasetLoadOptions(data.MappingFor(dataFile)) { BadRows = data.BadRows });
            var problems = limit > 0 ? loaded.Problems.Take(limit).ToArray() : loaded.Problems.ToArray();
            return problems.Length > 0 ? problems : throw new InvalidDataException($"{dataFile} has no problems to evaluate");
        }
        catch (Exception e) when (e is DatasetException or InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"--data: {e.Message}", e);
        }
    }
}
