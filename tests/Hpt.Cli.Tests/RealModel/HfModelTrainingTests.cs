using System.Text.Json;
using System.Text.Json.Nodes;
using Hpt.Cli.Tests.Support;
using Hpt.Model;
using Hpt.Model.Checkpoints;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hpt.Cli.Tests.RealModel;

/// <summary>
/// The user's path end to end, through the actors: a small random Qwen2- or Qwen3-architecture folder with Qwen's real
/// tokenizer and chat template (bf16 weights, vocab_size padded to 151936), a MATH-style JSONL with solutions, then
/// `hpt train`, `hpt export` and a second run started from the exported folder.
/// </summary>
public sealed class HfModelTrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-hf-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string ModelFolder(string modelType) => RandomQwenFolder.Write(Path.Combine(_root, modelType + "-model"), modelType);

    private string DataFile()
    {
        var path = Path.Combine(_root, "math.jsonl");
        File.WriteAllLines(path, Enumerable.Range(1, 24).Select(i => new JsonObject
        {
            ["problem"] = $"What is {i} + {i}?",
            ["solution"] = $"Adding, {i} + {i} = {2 * i}. The answer is $\\boxed{{{2 * i}}}$.",
            ["answer"] = $"{2 * i}",
        }.ToJsonString()));
        return path;
    }

    private string[] Train(string modelPath, string runDir, int steps) =>
    [
        "train", "--run-dir", runDir, "--set", "run.torch-threads=1", "--set", "run.seed=5",
        "--set", $"model.path={modelPath}", "--set", $"task.name={DataFile()}", "--set", "task.warmup-steps=0",
        "--set", "task.eval-size=2", "--set", "task.eval-samples=1", "--set", "task.train-size=16",
        "--set", "pipeline.prompts-per-step=2", "--set", "pipeline.samples-per-prompt=2", "--set", $"pipeline.total-steps={steps}",
        "--set", "pipeline.max-staleness=0", "--set", "rollout.max-new-tokens=6", "--set", "checkpoint.every-steps=1",
        // The kill-and-resume test compares weights bitwise: that needs batch-invariant (group) sampling.
        "--set", "rollout.batching=group",
    ];

    private string RunToCompletion(string[] args, string label)
    {
        using var child = HptProcess.Start(args);
        var finished = child.WaitForExit(TimeSpan.FromMinutes(8));
        output.WriteLine($"--- {label} ---\n{child.Output}");
        Assert.True(finished, $"{label}: hpt did not finish");
        Assert.True(child.ExitCode == 0, $"{label}: hpt exited with {child.ExitCode}");
        return child.Output;
    }

    private static float[] Logits(string folder, long[] ids)
    {
        using var m = CausalLM.FromPretrained(folder, new ModelOptions("cpu", "bf16"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return m.Logits(tensor(ids, [1, ids.Length])).to(ScalarType.Float32).data<float>().ToArray();
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    public void Training_a_hugging_face_folder_with_continuous_batching_decodes_on_the_cpu_kernel(string modelType)
    {
        var model = ModelFolder(modelType);
        var runDir = Path.Combine(_root, "run-continuous");
        // The default batching, on two torch threads: the kernel's threads, row groups and libtorch inline all run.
        var args = Train(model, runDir, steps: 2)
            .Select(a => a switch { "rollout.batching=group" => "rollout.batching=continuous", "run.torch-threads=1" => "run.torch-threads=2", _ => a })
            .ToArray();
        var printed = RunToCompletion(args, "train (continuous)");
        Assert.Contains("rollout: continuous batching, 32 sequences per worker, CPU decode kernel on", printed);
        var log = File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl")).Where(l => l.Length > 0).ToArray();
        Assert.Equal(2, log.Length);
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    public void Training_a_hugging_face_folder_gives_templated_sft_routed_steps_and_hugging_face_checkpoints(string modelType)
    {
        var model = ModelFolder(modelType);
        var runDir = Path.Combine(_root, "run");
        var printed = RunToCompletion(Train(model, runDir, steps: 2), "train");
        Assert.Contains("prompts: chatml, system prompt \"Please reason step by step", printed);
        Assert.Contains("reward: strict", printed); // data files score only a committed \boxed{} answer

        // Templated prompts; a random model never answers right, so every prompt with a demonstration goes to SFT (P = 0).
        var log = File.ReadAllText(Path.Combine(runDir, "metrics.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, log.Length);
        foreach (var line in log)
        {
            var step = JsonNode.Parse(line)!.AsObject();
            var offline = step.Single(kv => kv.Key.Equals("offlinePromptRatio", StringComparison.OrdinalIgnoreCase)).Value!.GetValue<double>();
            Assert.True(offline > 0.99, $"share of prompts with an expert row {offline}: at P = 0 every prompt should be SFT-routed ({line})");
        }

        // Checkpoints and final/ are Hugging Face folders; the final model is in the source dtype.
        var checkpoint = Path.Combine(runDir, "checkpoints", "step-00000002");
        foreach (var f in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
        {
            Assert.True(File.Exists(Path.Combine(checkpoint, f)), $"checkpoint lacks {f}");
            Assert.True(File.Exists(Path.Combine(runDir, "final", f)), $"final/ lacks {f}");
        }
        using (var st = SafetensorsFile.Open(Path.Combine(runDir, "final", "model.safetensors")))
        {
            Assert.Equal("pt", st.Metadata["format"]);
            Assert.All(st.Entries.Values, e => Assert.Equal(ScalarType.BFloat16, e.DType));
        }

        // hpt export of the last checkpoint gives the final model's logits exactly, and differs from the untrained model.
        var exported = Path.Combine(_root, "exported");
        RunToCompletion(["export", "--run-dir", runDir, "--step", "2", "-o", exported], "export");
        long[] ids = [151644, 872, 198, 3838, 374, 220, 16, 488, 220, 16, 30, 151645, 198];
        var final = Logits(Path.Combine(runDir, "final"), ids);
        Assert.Equal(final, Logits(exported, ids));
        Assert.NotEqual(final, Logits(model, ids));

        // The final folder is a model.path a new run can start from.
        RunToCompletion(Train(Path.Combine(runDir, "final"), Path.Combine(_root, "run2"), steps: 1), "train from final/");
    }

    [Fact]
    public void A_run_on_a_hugging_face_folder_killed_mid_run_resumes_to_the_same_weights()
    {
        var model = ModelFolder("qwen2");
        var reference = Path.Combine(_root, "reference");
        RunToCompletion(Train(model, reference, steps: 3), "reference");

        var killed = Path.Combine(_root, "killed");
        var kills = 0;
        foreach (var marker in new[] { "eval before", "step 1/3", "step 2/3" })
        {
            using var child = HptProcess.Start(Train(model, killed, steps: 3));
            if (!child.WaitForOutput(marker, TimeSpan.FromMinutes(5)) || child.HasExited) continue;
            child.Kill();
            kills++;
            output.WriteLine($"killed at '{marker}'");
        }
        RunToCompletion(Train(model, killed, steps: 3), "resume");
        Assert.True(kills >= 1, "the run was never killed: the test proved nothing");
        foreach (var file in new[] { Path.Combine("checkpoints", "step-00000003", "model.safetensors"), Path.Combine("final", "model.safetensors") })
            Assert.True(File.ReadAllBytes(Path.Combine(reference, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(killed, file))),
                $"{file} differs from the uninterrupted run");
    }
}
