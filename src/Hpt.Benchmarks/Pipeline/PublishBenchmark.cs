using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hpt.Actors.Cluster;
using Hpt.Training.Engines;
using Hpt.Training.Engines.Torch;
using Hpt.Model;
using Hpt.Model.Weights;
using TorchSharp;
using Hpt.Actors.WeightPublishing;

namespace Hpt.Benchmarks;

/// <summary>
/// Weight-publish time against model size: the in-process path (a rollout engine copying from the learner under the
/// publish lock) and the cluster path (learner writes a checksummed safetensors file, a rollout node reads, verifies
/// and loads it). Reports how each grows with the bytes moved (log-log slope; 1 = linear).
/// </summary>
public static class PublishBenchmark
{
    public sealed record Row(int DModel, long Parameters, double MiB, double CopyMs, double FileWriteMs, double FileLoadMs);

    public static IReadOnlyList<Row> Run(IReadOnlyList<int> dModels, int layers, int vocab, int repeats, TextWriter log)
    {
        var rows = new List<Row>();
        foreach (var d in dModels)
        {
            var config = ModelConfig.Tiny(vocab, hiddenSize: d, layers: layers, heads: Math.Max(1, d / 64), kvHeads: Math.Max(1, d / 256),
                maxPositions: 256);
            using var learner = CausalLM.Create(config, seed: 1);
            using var worker = CausalLM.Create(config, seed: 2);
            var live = new LivePolicyWeights(learner, new ReaderWriterLockSlim(), () => 1);
            var bytes = learner.parameters().Sum(p => p.numel() * p.ElementSize);

            var dir = Directory.CreateTempSubdirectory("hpt-publish-").FullName;
            try
            {
                var store = new SharedWeightStore(dir, keep: 2);
                var copy = new List<double>();
                var write = new List<double>();
                var load = new List<double>();
                for (var r = 0; r < repeats + 1; r++)
                {
                    var clock = Stopwatch.StartNew();
                    live.LoadInto(worker, 1);
                    copy.Add(clock.Elapsed.TotalMilliseconds);

                    clock.Restart();
                    var file = store.Publish(r + 1, path => PolicyWeights.Save(learner, path));
                    write.Add(clock.Elapsed.TotalMilliseconds);

                    clock.Restart();
                    PolicyWeights.FromBytes(worker, store.ReadVerified(file));
                    load.Add(clock.Elapsed.TotalMilliseconds);
                }
                // The first round warms caches and the JIT: medians of the rest.
                var row = new Row(d, learner.ParameterCount(), bytes / 1048576.0, Median(copy.Skip(1)), Median(write.Skip(1)), Median(load.Skip(1)));
                rows.Add(row);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"d_model {d,5}: {row.Parameters / 1e6,7:0.00}M params, {row.MiB,8:0.0} MiB: in-process copy {row.CopyMs,8:0.00} ms " +
                    $"({row.MiB / 1024 / (row.CopyMs / 1000),6:0.00} GiB/s); file write+sha {row.FileWriteMs,8:0.0} ms, read+verify+load {row.FileLoadMs,8:0.0} ms"));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        return rows;
    }

    /// <summary>Slope of log(time) against log(bytes): how publish time grows with model size.</summary>
    public static double Growth(IReadOnlyList<Row> rows, Func<Row, double> time)
    {
        var x = rows.Select(r => Math.Log(r.MiB)).ToArray();
        var y = rows.Select(r => Math.Log(Math.Max(1e-6, time(r)))).ToArray();
        var mx = x.Average();
        var my = y.Average();
        var den = x.Sum(v => (v - mx) * (v - mx));
        return den == 0 ? double.NaN : x.Zip(y).Sum(p => (p.Item1 - mx) * (p.Item2 - my)) / den;
    }

    public static string Json(IReadOnlyList<Row> rows) => JsonSerializer.Serialize(new
    {
        benchmark = "publish",
        threads = torch.get_num_threads(),
        rows = rows.Select(r => new { d_model = r.DModel, parameters = r.Parameters, mib = r.MiB, copy_ms = r.CopyMs, file_write_ms = r.FileWriteMs, file_load_ms = r.FileLoadMs }),
        copy_growth = Growth(rows, r => r.CopyMs),
        file_growth = Growth(rows, r => r.FileWriteMs + r.FileLoadMs),
        copy_gib_per_s = rows.Count == 0 ? 0 : rows[^1].MiB / 1024 / (rows[^1].CopyMs / 1000),
    });

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
