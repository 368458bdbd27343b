using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using Hpt.Actors.Settings;
using Hpt.Model;
using Hpt.Model.Checkpoints;
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

    private PolicyFactory(ModelSettings settings, ModelConfig config, ITokenizer tokenizer, PromptFormat format, int maxDemonstrationTokens)
    {
        _settings = settings;
        Config = config;
        Codec = new PromptCodec(tokenizer, format) { MaxResponseTokens = maxDemonstrationTokens };
    }

    public ModelConfig Config { get; }

    /// <summary>The Hugging Face folder the policy starts from; null for the built-in tiny model.</summary>
    public string? ModelPath => _settings.Path.Length == 0 ? null : _settings.Path;
    public PromptCodec Codec { get; }

    /// <param name="prompts">How prompts are rendered (chat template, system prompt); null = auto with the paper's system prompt.</param>
    /// <param name="maxDemonstrationTokens">Demonstrations are cut to this many tokens for SFT (0 = whole; <see cref="PromptCodec.MaxResponseTokens"/>).</param>
    public static PolicyFactory Create(ModelSettings settings, PromptSettings? prompts = null, int maxDemonstrationTokens = 0)
    {
        prompts ??= PromptSettings.Default;
        if (settings.Path.Length == 0)
        {
            var tokenizer = new CharTokenizer();
            var config = ModelConfig.Tiny(tokenizer.VocabSize, settings.HiddenSize, settings.Layers, settings.Heads, settings.KvHeads,
                settings.MaxPositions) with { IntermediateSize = settings.IntermediateSize };
            return new PolicyFactory(settings, config.Validate(), tokenizer, PromptFormat.Bare, maxDemonstrationTokens);
        }
        if (!Directory.Exists(settings.Path)) throw new DirectoryNotFoundException($"hpt.model.path: model folder not found: {settings.Path}");
        var hfConfig = ModelConfig.Load(settings.Path);
        var tokenizerPath = System.IO.Path.Combine(settings.Path, "tokenizer.json");
        if (!File.Exists(tokenizerPath)) throw new FileNotFoundException($"hpt.model.path: {tokenizerPath} is missing", tokenizerPath);
        var hf = HfBpeTokenizer.Load(tokenizerPath);
        if (hf.VocabSize > hfConfig.VocabSize)
            throw new InvalidDataException(
                $"tokenizer/model mismatch: {tokenizerPath} has {hf.VocabSize} ids but the model's vocab_size is {hfConfig.VocabSize}");
        PromptFormat format;
        try { format = PromptFormat.ForFolder(settings.Path, prompts.ChatTemplate, prompts.SystemPrompt); }
        catch (NotSupportedException e) { throw new SettingsException("hpt.task.chat-template", e.Message); }
        return new PolicyFactory(settings, hfConfig, hf, format, maxDemonstrationTokens);
    }

    /// <summary>How rollout workers sample with this policy's tokenizer (stop and pad ids).</summary>
    public SamplingOptions Sampling(RolloutSettings rollout) => new()
    {
        Temperature = rollout.Temperature,
        TopP = rollout.TopP,
        TopK = rollout.TopK,
        MaxNewTokens = rollout.MaxNewTokens,
        StopTokenIds = Codec.StopIds,
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

    /// <summary>The Hugging Face folder the policy came from; null for the built-in model.</summary>
    public string? SourceFolder => _settings.Path.Length == 0 ? null : _settings.Path;

    /// <summary>
    /// config.json, tokenizer files and generation_config.json beside a checkpoint's weights (which are in the
    /// training dtype, so a resume loses nothing); with them a checkpoint folder is a loadable Hugging Face folder.
    /// Its config.json keeps the source torch_dtype, so an export of the checkpoint is in the source dtype again.
    /// </summary>
    public void WriteCheckpointCompanions(string folder) =>
        HfFolder.WriteCompanions(Config, SourceFolder, folder, HfFolder.SourceDType(Config, ModelOptions.ParseDType(_settings.DType)));

    /// <summary>The final model: a Hugging Face folder with the weights in the source dtype (bf16 for a bf16 model).</summary>
    public void WriteFinalModel(CausalLM model, string folder) => HfFolder.Write(model, SourceFolder, folder);

    /// <summary>A model on <paramref name="device"/>: the folder's weights, or a fresh init from <paramref name="seed"/>.</summary>
    public CausalLM NewModel(string device, long seed)
    {
        // Logits only over the tokenizer's ids: Qwen's vocab_size pads past them, and a padding id must never be sampled.
        var options = new ModelOptions(device, _settings.DType) { TokenCount = Codec.Tokenizer.VocabSize };
        return _settings.Path.Length == 0 ? CausalLM.Create(Config, options, seed) : CausalLM.FromPretrained(_settings.Path, options);
    }
}
