using Hpt.Actors.Checkpoints;

namespace Hpt.Actors.Tests.Checkpoints;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpt-ckpt-").FullName;
    private readonly List<string> _warnings = [];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CheckpointStore Store(int keep = 3) => new(_dir, keep, _warnings.Add);

    private static Action<string> Write(string content) => folder =>
    {
        File.WriteAllText(Path.Combine(folder, "model.safetensors"), content);
        File.WriteAllText(Path.Combine(folder, "state.json"), "{}");
    };

    [Fact]
    public void Checkpoint_store_loads_the_newest_intact_checkpoint()
    {
        var store = Store();
        store.Save(1, 1, "cfg", Write("one"));
        store.Save(2, 2, "cfg", Write("two"));
        var loaded = store.LoadLatest();
        Assert.NotNull(loaded);
        Assert.Equal(2, loaded.Manifest.Step);
        Assert.Equal("two", File.ReadAllText(loaded.PathOf("model.safetensors")));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void Checkpoint_store_falls_back_with_a_warning_when_the_newest_is_truncated()
    {
        var store = Store();
        store.Save(1, 1, "cfg", Write("first weights"));
        store.Save(2, 2, "cfg", Write("second weights"));
        var newest = Path.Combine(_dir, "step-00000002", "model.safetensors");
        using (var f = new FileStream(newest, FileMode.Open)) f.SetLength(3);

        var loaded = store.LoadLatest();
        Assert.Equal(1, loaded!.Manifest.Step);
        Assert.Contains(_warnings, w => w.Contains("step-00000002") && w.Contains("truncated"));
    }

    [Fact]
    public void Checkpoint_store_falls_back_when_a_file_is_corrupted_in_place()
    {
        var store = Store();
        store.Save(1, 1, "cfg", Write("aaaa"));
        store.Save(2, 2, "cfg", Write("bbbb"));
        File.WriteAllText(Path.Combine(_dir, "step-00000002", "model.safetensors"), "cccc");
        Assert.Equal(1, store.LoadLatest()!.Manifest.Step);
        Assert.Contains(_warnings, w => w.Contains("checksum"));
    }

    [Fact]
    public void Checkpoint_store_never_picks_a_half_written_checkpoint()
    {
        var store = Store();
        store.Save(1, 1, "cfg", Write("done"));
        Assert.Throws<IOException>(() => store.Save(2, 2, "cfg", folder =>
        {
            File.WriteAllText(Path.Combine(folder, "model.safetensors"), "half");
            throw new IOException("disk full");
        }));
        Assert.Equal(1, store.LoadLatest()!.Manifest.Step);
        Assert.False(Directory.Exists(Path.Combine(_dir, "step-00000002")));
    }

    [Fact]
    public void Checkpoint_store_keeps_the_newest_k_and_the_base_model()
    {
        var store = Store(keep: 2);
        for (var step = 0; step <= 5; step++) store.Save(step, step, "cfg", Write($"w{step}"));
        var kept = Directory.GetDirectories(_dir).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(new[] { "step-00000000", "step-00000004", "step-00000005" }, kept); // the base model stays
    }

    [Fact]
    public void Checkpoint_store_returns_null_when_there_is_no_checkpoint() =>
        Assert.Null(Store().LoadLatest());

    [Fact]
    public void Manifest_without_a_file_list_is_a_clear_problem_not_a_null_reference()
    {
        Store().Save(1, 1, "cfg", Write("one"));
        var folder = Path.Combine(_dir, "step-00000001");
        File.WriteAllText(Path.Combine(folder, "manifest.json"), "{\"Format\": 1, \"Step\": 1}");
        Assert.Equal("the manifest has no file list", CheckpointStore.Verify(folder, out _));
        Assert.Null(Store().LoadLatest());
        Assert.Contains(_warnings, w => w.Contains("no file list", StringComparison.Ordinal));
    }

    [Fact]
    public void Checkpoint_of_another_run_is_refused_naming_both_run_ids()
    {
        new CheckpointStore(_dir, 3, _warnings.Add, runId: "theirs").Save(1, 1, "cfg", Write("one"));
        var e = Assert.Throws<Hpt.Actors.Hosting.IncurableException>(() => new CheckpointStore(_dir, 3, _warnings.Add, runId: "mine").LoadLatest());
        Assert.Contains("belongs to run 'theirs'", e.Message);
        Assert.Contains("'mine'", e.Message);
        Assert.NotNull(new CheckpointStore(_dir, 3, _warnings.Add, runId: "theirs").LoadLatest());
    }
}
