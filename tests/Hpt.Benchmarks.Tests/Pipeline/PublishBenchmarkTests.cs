using Hpt.Benchmarks;

namespace Hpt.Benchmarks.Tests.Pipeline;

public sealed class PublishBenchmarkTests
{
    [Fact]
    public void Publish_benchmark_measures_both_paths_for_every_size_and_reports_growth()
    {
        var log = new StringWriter();
        var rows = PublishBenchmark.Run([32, 64], layers: 1, vocab: 256, repeats: 1, log);
        Assert.Equal([32, 64], rows.Select(r => r.DModel));
        Assert.All(rows, r => Assert.True(r.CopyMs > 0 && r.FileWriteMs > 0 && r.FileLoadMs > 0));
        Assert.True(rows[1].MiB > rows[0].MiB);
        var json = System.Text.Json.JsonDocument.Parse(PublishBenchmark.Json(rows)).RootElement;
        Assert.Equal("publish", json.GetProperty("benchmark").GetString());
        Assert.True(double.IsFinite(json.GetProperty("copy_growth").GetDouble()));
    }
}
