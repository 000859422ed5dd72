using System.Text;

namespace BackupCore.Restore;

/// <summary>The table named by a <c>COPY [schema.]table ...</c> statement, with SQL's case folding and quoting rules.</summary>
public static class CopyTarget
{
    public static (string? Schema, string Table)? Parse(string statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var i = 0;
        SkipSpace(statement, ref i);
        if (!statement.AsSpan(i).StartsWith("copy", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        i += 4;
        SkipSpace(statement, ref i);
        var first = ReadName(statement, ref i);
        if (first is null)
        {
            return null;
        }

        SkipSpace(statement, ref i);
        if (i < statement.Length && statement[i] == '.')
        {
            i++;
            SkipSpace(statement, ref i);
            var second = ReadName(statement, ref i);
            return second is null ? null : (first, second);
        }

        return (null, first);
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }

    private static string? ReadName(string s, ref int i)
    {
        if (i >= s.Length)
        {
            return null;
        }

        if (s[i] == '"')
        {
            var sb = new StringBuilder();
            i++;
            while (i < s.Length)
            {
                if (s[i] == '"')
                {
                    if (i + 1 < s.Length && s[i + 1] == '"')
                    {
                        sb.Append('"');
                        i += 2;
                        continue;
                    }

                    i++;
                    return sb.ToString();
                }

                sb.Append(s[i++]);
            }

            return null;
        }

        var start = i;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '_' or '$'))
        {
            i++;
        }

        // Unquoted names fold to lower case (ASCII only, as the server's downcase_identifier does by default).
        return i == start ? null : s[start..i].ToLowerInvariant();
    }
}
