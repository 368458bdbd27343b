namespace Hpt.Tasks.Datasets;

/// <summary>A dataset row that cannot be read or mapped; names the file and the 1-based line (or row) number.</summary>
public sealed class DatasetException : Exception
{
    public DatasetException(string file, int line, string reason)
        : base($"{file}:{line}: {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public string File { get; }
    public int Line { get; }
    public string Reason { get; }
}
