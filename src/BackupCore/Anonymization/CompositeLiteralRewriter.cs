using System.Text;

namespace BackupCore.Anonymization;

/// <summary>
/// Rewrites the fields of a composite (row) literal (rowtypes.c, record_in and record_out): <c>(f1,f2,...)</c>;
/// a field with no characters at all is NULL; otherwise its characters are taken literally except that a
/// backslash takes the next character as it is and double quotes start and end quoted stretches (inside
/// which <c>""</c> is one quote and commas and parentheses are data). White space is data. A changed field is
/// re-emitted the way record_out prints it: quoted when empty or containing <c>" \ ( ) ,</c> or white space,
/// with <c>"</c> and <c>\</c> doubled inside; unchanged fields keep their exact text. Nested composites,
/// arrays and json fields arrive as their own text and are handed to the visitor decoded.
/// </summary>
public static class CompositeLiteralRewriter
{
    /// <summary>Decides the new text of field <c>index</c> (0-based) from its decoded text, or null to keep it. NULL fields are not offered.</summary>
    public delegate string? Visitor(int index, string decoded);

    /// <summary>The rewritten literal, or null when the visitor changed nothing.</summary>
    public static string? Rewrite(string literal, Visitor visitor)
    {
        ArgumentNullException.ThrowIfNull(literal);
        ArgumentNullException.ThrowIfNull(visitor);
        var i = 0;
        while (i < literal.Length && IsSpace(literal[i]))
        {
            i++;
        }

        if (i >= literal.Length || literal[i] != '(')
        {
            throw new FormatException("composite: missing left parenthesis");
        }

        i++;
        StringBuilder? output = null;
        var copied = 0;
        var value = new StringBuilder();
        for (var index = 0; ; index++)
        {
            var start = i;
            value.Clear();
            var inQuote = false;
            while (inQuote || (i < literal.Length && literal[i] is not (',' or ')')))
            {
                if (i >= literal.Length)
                {
                    throw new FormatException("composite: unterminated field");
                }

                var c = literal[i++];
                if (c == '\\')
                {
                    if (i >= literal.Length)
                    {
                        throw new FormatException("composite: unterminated escape");
                    }

                    value.Append(literal[i++]);
                }
                else if (c == '"')
                {
                    if (inQuote && i < literal.Length && literal[i] == '"')
                    {
                        value.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuote = !inQuote;
                    }
                }
                else
                {
                    value.Append(c);
                }
            }

            if (i > start)
            {
                var replacement = visitor(index, value.ToString());
                if (replacement is not null)
                {
                    output ??= new StringBuilder(literal.Length + 64);
                    output.Append(literal, copied, start - copied);
                    AppendField(output, replacement);
                    copied = i;
                }
            }

            if (i >= literal.Length)
            {
                throw new FormatException("composite: missing right parenthesis");
            }

            if (literal[i++] == ')')
            {
                break;
            }
        }

        if (output is null)
        {
            return null;
        }

        output.Append(literal, copied, literal.Length - copied);
        return output.ToString();
    }

    /// <summary>Appends one non-NULL field as record_out prints it.</summary>
    public static void AppendField(StringBuilder output, string value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(value);
        var quote = value.Length == 0;
        foreach (var ch in value)
        {
            if (ch is '"' or '\\' or '(' or ')' or ',' || IsSpace(ch))
            {
                quote = true;
                break;
            }
        }

        if (!quote)
        {
            output.Append(value);
            return;
        }

        output.Append('"');
        foreach (var ch in value)
        {
            if (ch is '"' or '\\')
            {
                output.Append(ch);
            }

            output.Append(ch);
        }

        output.Append('"');
    }

    // rowtypes.c tests isspace() on single bytes (C locale).
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';
}
