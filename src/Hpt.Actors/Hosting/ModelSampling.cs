using Hpt.Training.Engines.Torch;
using Hpt.Model;
using Hpt.Model.Sampling;
using Hpt.Tasks.Evaluation;

namespace Hpt.Actors.Hosting;

/// <summary>The evaluation harness's sampler, backed by one model (used between training phases, never concurrently).</summary>
public static class ModelSampling
{
    public static CompletionSampler For(CausalLM model, PromptCodec codec, ulong seed) => (prompts, samples, parameters, _) =>
    {
        var sampler = new Sampler(model);
        var rows = prompts.SelectMany(p => Enumerable.Repeat<IReadOnlyList<int>>(codec.EncodePrompt(p), samples)).ToArray();
        var options = new SamplingOptions
        {
            Temperature = parameters.Temperature,
            TopP = parameters.TopP,
            MaxNewTokens = parameters.MaxNewTokens,
            StopTokenIds = codec.StopIds,
            PadTokenId = codec.Tokenizer.PadId,
            Seed = seed,
        };
        model.eval();
        var generated = sampler.Generate(rows, options);
        IReadOnlyList<IReadOnlyList<string>> grouped = prompts
            .Select((_, i) => (IReadOnlyList<string>)generated.Skip(i * samples).Take(samples).Select(g => codec.DecodeResponse(g.TokenIds)).ToArray())
            .ToArray();
        return Task.FromResult(grouped);
    };
}
