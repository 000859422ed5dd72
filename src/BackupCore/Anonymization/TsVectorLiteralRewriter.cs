using System.Text;

namespace BackupCore.Anonymization;

/// <summary>
/// Rewrites the lexemes of a tsvector literal (tsvector_parser.c, gettoken_tsvector; tsvector.c, tsvectorout):
/// lexemes separated by white space, each either single-quoted (inside, <c>''</c> is one quote and a
/// backslash takes the next character as it is) or bare (to white space or <c>:</c>, with backslash
/// escapes), optionally followed by <c>:</c> and a position list (<c>:1,3A</c>), which is kept as is. A
/// changed lexeme is re-emitted the way tsvectorout prints it: single-quoted with <c>'</c> and <c>\</c>
/// doubled. tsvector_in sorts lexemes and merges duplicates with their positions, so two lexemes that get
/// the same replacement restore as one.
/// </summary>
public static class TsVectorLiteralRewriter
{
    /// <summary>The rewritten literal, or null when <paramref name="lexeme"/> returned null for every lexeme.</summary>
    public static string? Rewrite(string literal, Func<string, string?> lexeme)
    {
        ArgumentNullException.ThrowIfNull(literal);
        ArgumentNullException.ThrowIfNull(lexeme);
        StringBuilder? output = null;
        var copied = 0;
        var i = 0;
        var value = new StringBuilder();
        while (true)
        {
            while (i < literal.Length && IsSpace(literal[i]))
            {
                i++;
            }

            if (i >= literal.Length)
            {
                break;
            }

            var start = i;
            value.Clear();
            if (literal[i] == '\'')
            {
                i++;
                while (true)
                {
                    if (i >= literal.Length)
                    {
                        throw new FormatException("tsvector: unterminated quoted lexeme");
                    }

                    var c = literal[i++];
                    if (c == '\'')
                    {
                        if (i < literal.Length && literal[i] == '\'')
                        {
                            value.Append('\'');
                            i++;
                            continue;
                        }

                        break;
                    }

                    if (c == '\\')
                    {
                        if (i >= literal.Length)
                        {
                            throw new FormatException("tsvector: unterminated escape");
                        }

                        c = literal[i++];
                    }

                    value.Append(c);
                }
            }
            else
            {
                while (i < literal.Length && !IsSpace(literal[i]) && literal[i] != ':')
                {
                    if (literal[i] == '\\' && ++i >= literal.Length)
                    {
                        throw new FormatException("tsvector: unterminated escape");
                    }

                    value.Append(literal[i++]);
                }
            }

            var end = i;
            if (i < literal.Length && literal[i] == ':')
            {
                while (i < literal.Length && !IsSpace(literal[i]))
                {
                    i++;
                }
            }

            var replacement = lexeme(value.ToString());
            if (replacement is null)
            {
                continue;
            }

            output ??= new StringBuilder(literal.Length + 64);
            output.Append(literal, copied, start - copied);
            AppendLexeme(output, replacement);
            copied = end;
        }

        if (output is null)
        {
            return null;
        }

        output.Append(literal, copied, literal.Length - copied);
        return output.ToString();
    }

    /// <summary>Appends a lexeme as tsvectorout prints it.</summary>
    public static void AppendLexeme(StringBuilder output, string value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(value);
        output.Append('\'');
        foreach (var ch in value)
        {
            if (ch is '\'' or '\\')
            {
                output.Append(ch);
            }

            output.Append(ch);
        }

        output.Append('\'');
    }

    // tsvector_parser.c tests t_isspace (white space of the database locale); the output only ever has ' '.
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';
}
