namespace BackupCore.Anonymization;

/// <summary>
/// Rewrites the comment text of a <c>COMMENT ON ... IS '...';</c> statement as pg_dump prints it
/// (dumpComment in pg_dump.c, the literal from appendStringLiteralAH): the first single-quoted
/// literal outside double-quoted identifiers, with <c>''</c> for a quote, or an <c>E'...'</c> literal
/// with backslash escapes. Only the literal changes: object names in the statement are DDL and stay.
/// </summary>
public static class SqlCommentRewriter
{
    /// <summary>Decides replacements for the decoded comment text.</summary>
    public delegate IReadOnlyList<TextReplacement>? CommentVisitor(string decoded);

    /// <summary>The rewritten statement, or null when there is no literal or nothing was replaced.</summary>
    public static string? Rewrite(string statement, CommentVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(visitor);
        var open = FindLiteralStart(statement);
        if (open < 0)
        {
            return null;
        }

        var escapeString = open > 0 && statement[open - 1] is 'E' or 'e'
            && (open < 2 || !(char.IsLetterOrDigit(statement[open - 2]) || statement[open - 2] == '_'));
        var decodedChars = new System.Text.StringBuilder();
        var offsets = new List<int>();
        var i = open + 1;
        while (true)
        {
            if (i >= statement.Length)
            {
                return null;
            }

            var c = statement[i];
            if (c == '\'')
            {
                if (i + 1 < statement.Length && statement[i + 1] == '\'')
                {
                    offsets.Add(i - open - 1);
                    decodedChars.Append('\'');
                    i += 2;
                    continue;
                }

                break;
            }

            offsets.Add(i - open - 1);
            if (escapeString && c == '\\' && i + 1 < statement.Length)
            {
                // Enough of the E'' escapes to find addresses; octal/hex/unicode forms are taken literally.
                decodedChars.Append(statement[i + 1] switch
                {
                    'b' => '\b',
                    'f' => '\f',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    var other => other,
                });
                i += 2;
                continue;
            }

            decodedChars.Append(c);
            i++;
        }

        var close = i;
        offsets.Add(close - open - 1);
        var decoded = decodedChars.ToString();
        if (!decoded.Contains('@', StringComparison.Ordinal))
        {
            return null;
        }

        var replacements = visitor(decoded);
        if (replacements is not { Count: > 0 })
        {
            return null;
        }

        var rawLiteral = statement.AsSpan(open + 1, close - open - 1);
        var rewritten = TextReplacement.Splice(rawLiteral, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(offsets), replacements);
        return string.Concat(statement.AsSpan(0, open + 1), rewritten, statement.AsSpan(close));
    }

    /// <summary>The decoded comment text (for the fail-closed scan), or null when there is none.</summary>
    public static string? ExtractText(string statement)
    {
        string? text = null;
        Rewrite(statement, decoded =>
        {
            text = decoded;
            return null;
        });
        return text;
    }

    private static int FindLiteralStart(string statement)
    {
        var inIdentifier = false;
        for (var i = 0; i < statement.Length; i++)
        {
            var c = statement[i];
            if (c == '"')
            {
                inIdentifier = !inIdentifier;
            }
            else if (c == '\'' && !inIdentifier)
            {
                return i;
            }
        }

        return -1;
    }
}
