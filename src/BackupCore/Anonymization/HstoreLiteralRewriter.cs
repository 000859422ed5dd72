using System.Text;

namespace BackupCore.Anonymization;

/// <summary>
/// Rewrites the keys and values of an hstore literal (contrib/hstore/hstore_io.c, parse_hstore and get_val):
/// pairs <c>key =&gt; value</c> separated by commas and optional white space; a key or value is either
/// double-quoted, with a backslash escaping the next character, or bare, running to white space, to
/// <c>=</c> (a key) or to <c>,</c> (a value), also with backslash escapes; a bare value spelled NULL in any
/// case is a NULL. hstore_out always quotes keys and values and escapes <c>"</c> and <c>\</c> inside; a
/// changed key or value is re-emitted that way, everything else keeps its exact text.
/// </summary>
public static class HstoreLiteralRewriter
{
    /// <summary>Decides the new text of one key or value (<c>isKey</c>), or null to keep it. NULL values are not offered.</summary>
    public delegate string? Visitor(string decoded, bool isKey);

    /// <summary>The rewritten literal, or null when the visitor changed nothing.</summary>
    public static string? Rewrite(string literal, Visitor visitor)
    {
        ArgumentNullException.ThrowIfNull(literal);
        ArgumentNullException.ThrowIfNull(visitor);
        StringBuilder? output = null;
        var copied = 0;
        var i = 0;
        var value = new StringBuilder();
        while (true)
        {
            i = SkipSpace(literal, i);
            if (i >= literal.Length)
            {
                break;
            }

            for (var part = 0; part < 2; part++)
            {
                var isKey = part == 0;
                if (!isKey)
                {
                    i = SkipSpace(literal, i);
                    if (i + 1 >= literal.Length || literal[i] != '=' || literal[i + 1] != '>')
                    {
                        throw new FormatException("hstore: expected => after a key");
                    }

                    i = SkipSpace(literal, i + 2);
                }

                var start = i;
                i = ReadToken(literal, i, isKey, value, out var quoted);
                if (!isKey && !quoted && value.Length == 4 && value.ToString().Equals("NULL", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var replacement = visitor(value.ToString(), isKey);
                if (replacement is null)
                {
                    continue;
                }

                output ??= new StringBuilder(literal.Length + 64);
                output.Append(literal, copied, start - copied);
                AppendQuoted(output, replacement);
                copied = i;
            }

            i = SkipSpace(literal, i);
            if (i < literal.Length)
            {
                if (literal[i] != ',')
                {
                    throw new FormatException("hstore: expected , between pairs");
                }

                i++;
            }
        }

        if (output is null)
        {
            return null;
        }

        output.Append(literal, copied, literal.Length - copied);
        return output.ToString();
    }

    /// <summary>Appends a key or value as hstore_out prints it.</summary>
    public static void AppendQuoted(StringBuilder output, string value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(value);
        output.Append('"');
        foreach (var ch in value)
        {
            if (ch is '"' or '\\')
            {
                output.Append('\\');
            }

            output.Append(ch);
        }

        output.Append('"');
    }

    private static int ReadToken(string s, int i, bool isKey, StringBuilder value, out bool quoted)
    {
        value.Clear();
        quoted = i < s.Length && s[i] == '"';
        if (quoted)
        {
            i++;
            while (true)
            {
                if (i >= s.Length)
                {
                    throw new FormatException("hstore: unterminated quoted string");
                }

                var c = s[i++];
                if (c == '"')
                {
                    return i;
                }

                if (c == '\\')
                {
                    if (i >= s.Length)
                    {
                        throw new FormatException("hstore: unterminated escape");
                    }

                    c = s[i++];
                }

                value.Append(c);
            }
        }

        while (i < s.Length && !IsSpace(s[i]) && !(isKey ? s[i] == '=' : s[i] == ','))
        {
            if (s[i] == '\\')
            {
                if (++i >= s.Length)
                {
                    throw new FormatException("hstore: unterminated escape");
                }
            }

            value.Append(s[i++]);
        }

        if (value.Length == 0)
        {
            throw new FormatException("hstore: empty bare key or value");
        }

        return i;
    }

    private static int SkipSpace(string s, int i)
    {
        while (i < s.Length && IsSpace(s[i]))
        {
            i++;
        }

        return i;
    }

    // hstore_io.c uses isspace() in the C locale for these single-byte tests.
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';
}
