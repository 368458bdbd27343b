namespace Hpt.Model.Memory;

/// <summary>A training micro-batch does not fit in memory; <see cref="Key"/> is the setting to lower.</summary>
public sealed class MicroBatchTooLargeException(string key, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Key { get; } = key;
}
