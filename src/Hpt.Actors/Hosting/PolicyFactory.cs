using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using Hpt.Actors.Settings;
using Hpt.Model;
using Hpt.Model.Sampling;
using Hpt.Model.Tokenizers;

namespace Hpt.Actors.Hosting;

/// <summary>
/// Makes the policy's models and its tokenizer: a Hugging Face folder (config.json, safetensors, tokenizer.json), or
/// the built-in tiny character-level model. A tokenizer whose ids do not fit the model's vocabulary is refused.
/// </summary>
public sealed class PolicyFactory
{
    private readonly ModelSettings _settings;

    private PolicyFactory(ModelSettings settings, ModelConfig config, ITokenizer tokenizer)
    {
        _settings = settings;
        Config = config;
        Codec = new PromptCodec(tokenizer);
    }

    public ModelConfig Config { get; }
    public PromptCodec Codec { get; }

    public static PolicyFactory Create(ModelSettings settings)
    {
        if (settings.Path.Length == 0)
        {
            var tokenizer = new CharTokenizer();
            var config = ModelConfig.Tiny(tokenizer.VocabSize, settings.HiddenSize, settings.Layers, settings.Heads, settings.KvHeads,
                settings.MaxPositions) with { IntermediateSize = settings.IntermediateSize };
            return new PolicyFactory(settings, config.Validate(), tokenizer);
        }
        if (!Directory.Exists(settings.Path)) throw new DirectoryNotFoundException($"hpt.model.path: model folder not found: {settings.Path}");
        var hfConfig = ModelConfig.Load(settings.Path);
        var tokenizerPath = System.IO.Path.Combine(settings.Path, "tokenizer.json");
        if (!File.Exists(tokenizerPath)) throw new FileNotFoundException($"hpt.model.path: {tokenizerPath} is missing", tokenizerPath);
        var hf = HfBpeTokenizer.Load(tokenizerPath);
        if (hf.VocabSize > hfConfig.VocabSize)
            throw new InvalidDataException(
                $"tokenizer/model mismatch: {tokenizerPath} has {hf.VocabSize} ids but the model's vocab_size is {hfConfig.VocabSize}");
        return new PolicyFactory(settings, hfConfig, hf);
    }

    /// <summary>How rollout workers sample with this policy's tokenizer (stop and pad ids).</summary>
    public SamplingOptions Sampling(RolloutSettings rollout) => new()
    {
        Temperature = rollout.Temperature,
        TopP = rollout.TopP,
        TopK = rollout.TopK,
        MaxNewTokens = rollout.MaxNewTokens,
        StopTokenIds = Codec.Tokenizer.StopIds,
        PadTokenId = Codec.Tokenizer.PadId,
    };

    /// <summary>
    /// A rollout worker's engine on <paramref name="device"/>, batching as <see cref="RolloutSettings.Batching"/> says:
    /// continuous (several prompts of <paramref name="samplesPerPrompt"/> samples in flight) or one group at a time.
    /// </summary>
    public IRolloutEngine NewRolloutEngine(RolloutSettings rollout, string device, int seed, int samplesPerPrompt)
    {
        var sampling = Sampling(rollout);
        var model = NewModel(device, seed);
        return rollout.Batching == RolloutBatching.Group
            ? new TorchRolloutEngine(model, Codec, sampling, seed)
            : new ContinuousTorchRolloutEngine(model, Codec, rollout.Continuous(sampling), seed).ForSamplesPerPrompt(samplesPerPrompt);
    }

    /// <summary>A model on <paramref name="device"/>: the folder's weights, or a fresh init from <paramref name="seed"/>.</summary>
    public CausalLM NewModel(string device, long seed)
    {
        var options = new ModelOptions(device, _settings.DType);
        return _settings.Path.Length == 0 ? CausalLM.Create(Config, options, seed) : CausalLM.FromPretrained(_settings.Path, options);
    }
}
