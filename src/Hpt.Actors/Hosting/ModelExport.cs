using Hpt.Actors.Checkpoints;
using Hpt.Model;
using Hpt.Model.Checkpoints;

namespace Hpt.Actors.Hosting;

/// <summary>
/// `hpt export`: a run's checkpoint as a standalone Hugging Face folder (config.json, tokenizer files,
/// generation_config.json, model.safetensors in the source dtype). Checkpoints already are such folders, with the
/// weights in the training dtype; the export verifies the checksums and writes the source dtype.
/// </summary>
public static class ModelExport
{
    /// <param name="step">The checkpoint's step; null = the newest intact one.</param>
    /// <returns>The step exported.</returns>
    public static long Run(string runDirectory, long? step, string output)
    {
        var dir = new RunDirectory(runDirectory);
        if (!Directory.Exists(dir.Checkpoints)) throw new DirectoryNotFoundException($"export: {dir.Checkpoints} does not exist (not a run directory?)");
        string folder;
        if (step is { } s)
        {
            folder = Path.Combine(dir.Checkpoints, $"step-{s:D8}");
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"export: no checkpoint of step {s} in {dir.Checkpoints}");
            if (CheckpointStore.Verify(folder, out _) is { } problem) throw new InvalidDataException($"export: checkpoint {folder} is unusable: {problem}");
        }
        else
        {
            var latest = new CheckpointStore(dir.Checkpoints, int.MaxValue).LoadLatest()
                         ?? throw new InvalidDataException($"export: {dir.Checkpoints} holds no intact checkpoint");
            (folder, s) = (latest.Folder, latest.Manifest.Step);
        }
        if (!File.Exists(Path.Combine(folder, "config.json")))
            throw new InvalidDataException($"export: {folder} has no config.json (written by a build whose checkpoints were not Hugging Face folders)");
        // fp32 holds bf16 and fp16 exactly, so loading wide and writing the source dtype loses nothing.
        using var model = CausalLM.FromPretrained(folder, new ModelOptions("cpu", "fp32"));
        HfFolder.Write(model, folder, output);
        return s;
    }
}
