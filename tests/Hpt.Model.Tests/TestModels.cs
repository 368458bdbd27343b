using static TorchSharp.torch;

namespace Hpt.Model.Tests;

/// <summary>Tiny fixed-seed models and helpers shared by the tests.</summary>
internal static class TestModels
{
    /// <summary>Qwen2-shaped, grouped-query (4 query heads, 2 kv heads), untied or tied head.</summary>
    public static ModelConfig TinyConfig(int vocab = 61, bool tied = false, string modelType = "qwen2") =>
        ModelConfig.Tiny(vocab, hiddenSize: 64, layers: 2, heads: 4, kvHeads: 2) with { TieWordEmbeddings = tied, ModelType = modelType };

    public static CausalLM Tiny(long seed = 1, bool tied = false, string dtype = "fp32") =>
        CausalLM.Create(TinyConfig(tied: tied), new ModelOptions("cpu", dtype), seed);

    public static int[] RandomIds(Random rng, int length, int vocab = 61) => Enumerable.Range(0, length).Select(_ => rng.Next(vocab)).ToArray();

    public static byte[] Bytes(Tensor t)
    {
        using var c = t.detach().contiguous().cpu();
        return c.bytes.ToArray();
    }

    public static float MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max().item<float>();
    }

    private static readonly Lazy<string> TempRoot = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "hpt-model-tests-" + Guid.NewGuid().ToString("N"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, recursive: true); } catch (IOException) { } };
        return root;
    });

    /// <summary>A fresh folder under this test run's temp root, which is deleted when the run ends.</summary>
    public static string TempDir()
    {
        var dir = Path.Combine(TempRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>The repository root (the folder holding Actors.sln), from the test output folder.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Actors.sln) not found above " + AppContext.BaseDirectory);
    }
}
