using System.Text.Json;
using System.Text.Json.Serialization;
using Hpt.Actors.Protocol;

namespace Hpt.Cli.Reporting;

/// <summary>
/// `provenance.jsonl`: one line per trained prompt — step, prompt seq/attempt/epoch, policy versions that sampled it,
/// the gate's route with P and gamma, rewards, and the algorithm preset. Appended and flushed per step.
/// </summary>
public sealed class ProvenanceLog : IDisposable
{
    public const string FileName = "provenance.jsonl";
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
    private readonly StreamWriter _writer;
    private readonly string _algorithm;
    private readonly Lock _lock = new();

    public ProvenanceLog(string runDir, string algorithm)
    {
        _algorithm = algorithm;
        _writer = new StreamWriter(new FileStream(Path.Combine(runDir, FileName), FileMode.Append, FileAccess.Write, FileShare.Read));
    }

    public void Append(StepProvenance step)
    {
        lock (_lock)
        {
            foreach (var p in step.Prompts)
                _writer.WriteLine(JsonSerializer.Serialize(new
                {
                    step = step.Step, p.Seq, p.Attempt, p.Epoch, problem = p.ProblemId, route = p.Route, p.Accuracy,
                    gamma = double.IsFinite(p.Gamma) ? p.Gamma : (double?)null, p.Rewards,
                    policyVersions = new[] { p.OldestVersion, p.NewestVersion }, p.Rows, algorithm = _algorithm,
                }, Json));
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_lock) _writer.Dispose();
    }
}
