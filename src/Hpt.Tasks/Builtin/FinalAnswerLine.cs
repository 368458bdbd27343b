namespace Hpt.Tasks.Builtin;

/// <summary>
/// The built-in tasks' answer format: the response's last line that starts with "ans " holds the final answer
/// (a GSM8K-style marker written with characters a tiny model's vocabulary has).
/// </summary>
public static class FinalAnswerLine
{
    public const string Marker = "ans ";

    /// <summary>Longest answer text read; longer lines are garbage, not answers.</summary>
    public const int MaxLength = 200;

    public static string? Find(string? response)
    {
        if (string.IsNullOrEmpty(response)) return null;
        var end = response.Length;
        while (end > 0)
        {
            var start = response.LastIndexOf('\n', end - 1) + 1;
            var line = response.AsSpan(start, end - start).TrimEnd('\r');
            if (line.StartsWith(Marker, StringComparison.Ordinal))
            {
                var text = line[Marker.Length..].Trim();
                return text.Length is > 0 and <= MaxLength ? text.ToString() : null;
            }
            end = start - 1;
        }
        return null;
    }
}
