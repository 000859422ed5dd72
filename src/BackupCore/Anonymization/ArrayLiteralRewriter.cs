using System.Text;

namespace BackupCore.Anonymization;

/// <summary>
/// Rewrites the elements of a PostgreSQL array literal (docs "Arrays", 8.15.6 Array Input and Output
/// Syntax): optional dimension decoration <c>[1:2]={...}</c>, nested braces, elements separated by
/// commas, double-quoted elements with backslash escapes, unquoted elements (backslash escapes
/// allowed), and the unquoted word NULL for a NULL element. Unchanged elements keep their exact text;
/// a changed element is re-emitted the way array_out quotes it (arrayfuncs.c): quoted when empty,
/// equal to NULL in any case, or containing braces, comma, double quote, backslash or white space;
/// inside quotes <c>"</c> and <c>\</c> are backslash-escaped. The delimiter is a comma for every
/// text-like type (pg_type.typdelim).
/// </summary>
public static class ArrayLiteralRewriter
{
    /// <summary>The rewritten literal, or null when <paramref name="element"/> returned null for every element.</summary>
    public static string? Rewrite(string literal, Func<string, string?> element)
    {
        ArgumentNullException.ThrowIfNull(literal);
        ArgumentNullException.ThrowIfNull(element);
        StringBuilder? output = null;
        var copied = 0;
        var i = 0;
        if (literal.StartsWith('['))
        {
            var eq = literal.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new FormatException("array dimensions without '='");
            }

            i = eq + 1;
        }

        var value = new StringBuilder();
        while (i < literal.Length)
        {
            var c = literal[i];
            if (c is '{' or '}' or ',' || IsSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            value.Clear();
            bool isNull;
            if (c == '"')
            {
                i++;
                while (i < literal.Length && literal[i] != '"')
                {
                    if (literal[i] == '\\' && i + 1 < literal.Length)
                    {
                        i++;
                    }

                    value.Append(literal[i]);
                    i++;
                }

                if (i >= literal.Length)
                {
                    throw new FormatException("unterminated quoted array element");
                }

                i++;
                isNull = false;
            }
            else
            {
                var escaped = false;
                while (i < literal.Length && literal[i] is not (',' or '}' or '{'))
                {
                    if (literal[i] == '\\' && i + 1 < literal.Length)
                    {
                        escaped = true;
                        i++;
                    }

                    value.Append(literal[i]);
                    i++;
                }

                // array_in drops trailing unescaped white space of an unquoted element.
                while (value.Length > 0 && IsSpace(value[^1]) && !escaped)
                {
                    value.Length--;
                }

                isNull = !escaped && value.Length == 4 && value.ToString().Equals("NULL", StringComparison.OrdinalIgnoreCase);
            }

            if (isNull)
            {
                continue;
            }

            var replacement = element(value.ToString());
            if (replacement is null)
            {
                continue;
            }

            output ??= new StringBuilder(literal.Length + 64);
            output.Append(literal, copied, start - copied);
            AppendElement(output, replacement);
            copied = i;
        }

        if (output is null)
        {
            return null;
        }

        output.Append(literal, copied, literal.Length - copied);
        return output.ToString();
    }

    /// <summary>Appends one element as array_out would print it.</summary>
    public static void AppendElement(StringBuilder output, string value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(value);
        var quote = value.Length == 0 || value.Equals("NULL", StringComparison.OrdinalIgnoreCase);
        foreach (var ch in value)
        {
            if (ch is '{' or '}' or ',' or '"' or '\\' || IsSpace(ch))
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
                output.Append('\\');
            }

            output.Append(ch);
        }

        output.Append('"');
    }

    // arrayfuncs.c array_isspace: the C-locale isspace set.
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';
}
