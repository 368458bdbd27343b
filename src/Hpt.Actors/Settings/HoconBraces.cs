namespace Hpt.Actors.Settings;

/// <summary>
/// Akka's HOCON parser accepts a file whose braces do not balance (an unclosed `hpt.pipeline {` silently swallows the
/// rest of the file). This scan, outside strings and comments, finds the first unbalanced brace and names its line.
/// </summary>
public static class HoconBraces
{
    public static void Check(string text, string source)
    {
        var open = new Stack<int>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n') line++;
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
            }
            else if (c == '"')
            {
                var triple = i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"';
                if (triple)
                {
                    var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) throw new SettingsException(source, $"a \"\"\" string opened on line {line} is never closed");
                    line += text.AsSpan(i, end - i).Count('\n');
                    i = end + 2;
                    continue;
                }
                for (i++; i < text.Length && text[i] != '"' && text[i] != '\n'; i++)
                    if (text[i] == '\\') i++;
                if (i >= text.Length || text[i] == '\n') throw new SettingsException(source, $"a string on line {line} is never closed");
            }
            else if (c == '{') open.Push(line);
            else if (c == '}')
            {
                if (open.Count == 0) throw new SettingsException(source, $"closing brace on line {line} has no opening brace");
                open.Pop();
            }
        }
        if (open.Count > 0) throw new SettingsException(source, $"opening brace on line {open.Peek()} is never closed");
    }
}
