using System.Text;

namespace Hpt.Core.Configuration;

/// <summary>
/// Spells enum members as configuration values: kebab case (<c>PpoClip</c> -> <c>ppo-clip</c>, <c>K3</c> -> <c>k3</c>),
/// and <c>ReinforcePlusPlus</c> -> <c>reinforce++</c>. Parsing an unknown value fails with the list of valid ones.
/// </summary>
public static class ConfigNames
{
    public static string Format<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                sb.Append('-');
            }
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString().Replace("-plus-plus", "++", StringComparison.Ordinal);
    }

    public static T Parse<T>(string text, string key) where T : struct, Enum
    {
        var wanted = text.Trim();
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(Format(value), wanted, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        throw new FormatException(
            $"'{text}' is not a valid value of {key}; valid values: {string.Join(", ", Valid<T>())}.");
    }

    public static IReadOnlyList<string> Valid<T>() where T : struct, Enum =>
        Enum.GetValues<T>().Select(Format).ToArray();
}
