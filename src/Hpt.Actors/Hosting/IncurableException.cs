namespace Hpt.Actors.Hosting;

/// <summary>
/// Thrown where code knows that retrying cannot help (poison input, a store that refuses writes): the supervisor stops
/// the run instead of restarting the actor. The message names the cause and the key or file.
/// </summary>
public sealed class IncurableException(string message, Exception? inner = null) : Exception(message, inner);
