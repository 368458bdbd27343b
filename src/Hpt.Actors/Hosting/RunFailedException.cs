namespace Hpt.Actors.Hosting;

/// <summary>A run stopped by a <see cref="RunFailed"/>: the message is the reason, printed as one `hpt: error:` line.</summary>
public sealed class RunFailedException(string reason) : Exception(reason);
