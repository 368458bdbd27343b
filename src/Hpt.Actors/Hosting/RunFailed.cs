namespace Hpt.Actors.Hosting;

/// <summary>
/// Fact, on the event stream: the run cannot go on (a failure that a restart cannot cure: a persistence failure, a bad
/// setting, a missing device, a poison input, an actor that keeps crashing). <paramref name="Reason"/> is the one line
/// the operator sees after `hpt: error:`; it names the cause and the key or file.
/// </summary>
public sealed record RunFailed(string Reason);
