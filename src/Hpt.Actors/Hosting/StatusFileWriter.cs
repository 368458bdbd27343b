using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Hosting;

/// <summary>
/// Writes the coordinator's <see cref="PipelineReport"/> to status.json in the run directory (temp file + rename, so a
/// reader never sees half a file), at most once a second unless the run completed or stalled. `hpt status` reads it
/// while the run goes, from any process that sees the run directory.
/// </summary>
public sealed class StatusFileWriter : ReceiveActor
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private readonly Stopwatch _sinceWrite = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _warned;

    public StatusFileWriter(string path)
    {
        Receive<PipelineReport>(report =>
        {
            if (_sinceWrite.IsRunning && _sinceWrite.Elapsed < MinInterval && !report.Completed && report.Stalled is null) return;
            try
            {
                var temp = path + ".tmp";
                File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(report, Json));
                File.Move(temp, path, overwrite: true);
                _sinceWrite.Restart();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The status file is for people watching; training goes on without it.
                if (!_warned) _log.Warning("cannot write {0}: {1} (hpt status will not see this run)", path, e.Message);
                _warned = true;
            }
        });
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(PipelineReport));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    public static Props Props(string path) => Akka.Actor.Props.Create(() => new StatusFileWriter(path));
}
