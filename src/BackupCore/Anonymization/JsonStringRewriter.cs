using System.Globalization;

namespace BackupCore.Anonymization;

/// <summary>
/// Finds every string token (object keys and string values, at any depth) of a JSON text, decodes it
/// (RFC 8259 section 7 escapes, including <c>\uXXXX</c> and surrogate pairs) and lets a callback
/// choose replacements in the decoded string; replaced ranges are spliced into the raw text so that
/// nothing else changes (the <c>json</c> type keeps its text verbatim). Input must be valid JSON, which
/// the server guarantees for json and jsonb values.
/// </summary>
public static class JsonStringRewriter
{
    /// <summary>Decides replacements for one decoded string; <c>isKey</c> is true for object keys. Null or empty: none.</summary>
    public delegate IReadOnlyList<TextReplacement>? StringVisitor(string decoded, bool isKey);

    /// <summary>The rewritten JSON, or null when the visitor replaced nothing.</summary>
    public static string? Rewrite(string json, StringVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(visitor);
        System.Text.StringBuilder? output = null;
        var copied = 0;
        var i = 0;
        while (true)
        {
            var open = json.IndexOf('"', i);
            if (open < 0)
            {
                break;
            }

            var close = open + 1;
            var hasEscape = false;
            while (close < json.Length && json[close] != '"')
            {
                if (json[close] == '\\')
                {
                    hasEscape = true;
                    close++;
                }

                close++;
            }

            if (close >= json.Length)
            {
                throw new FormatException("unterminated JSON string");
            }

            i = close + 1;
            var raw = json.AsSpan(open + 1, close - open - 1);
            if (!raw.Contains('@') && !(hasEscape && raw.Contains("\\u", StringComparison.Ordinal)))
            {
                continue;
            }

            var isKey = NextNonSpace(json, close + 1) == ':';
            string? rewritten;
            if (!hasEscape)
            {
                var decoded = raw.ToString();
                var replacements = visitor(decoded, isKey);
                rewritten = replacements is { Count: > 0 } ? TextReplacement.Apply(decoded, replacements) : null;
            }
            else
            {
                var offsets = new int[raw.Length + 1];
                var decoded = Decode(raw, offsets);
                var replacements = visitor(decoded, isKey);
                rewritten = replacements is { Count: > 0 } ? TextReplacement.Splice(raw, offsets.AsSpan(0, decoded.Length + 1), replacements) : null;
            }

            if (rewritten is not null)
            {
                output ??= new System.Text.StringBuilder(json.Length + 64);
                output.Append(json, copied, open + 1 - copied).Append(rewritten);
                copied = close;
            }
        }

        if (output is null)
        {
            return null;
        }

        output.Append(json, copied, json.Length - copied);
        return output.ToString();
    }

    /// <summary>Decodes the inside of a JSON string; <paramref name="offsets"/> receives each decoded character's raw start, plus the raw end.</summary>
    public static string Decode(ReadOnlySpan<char> raw, Span<int> offsets)
    {
        var chars = new char[raw.Length];
        var n = 0;
        var i = 0;
        while (i < raw.Length)
        {
            offsets[n] = i;
            var c = raw[i];
            if (c != '\\')
            {
                chars[n++] = c;
                i++;
                continue;
            }

            var e = i + 1 < raw.Length ? raw[i + 1] : '\\';
            switch (e)
            {
                case 'u' when i + 6 <= raw.Length:
                    chars[n++] = (char)int.Parse(raw.Slice(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    i += 6;
                    continue;
                case 'b': chars[n++] = '\b'; break;
                case 'f': chars[n++] = '\f'; break;
                case 'n': chars[n++] = '\n'; break;
                case 'r': chars[n++] = '\r'; break;
                case 't': chars[n++] = '\t'; break;
                default: chars[n++] = e; break;
            }

            i += 2;
        }

        offsets[n] = raw.Length;
        return new string(chars, 0, n);
    }

    private static char NextNonSpace(string s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\r')
        {
            i++;
        }

        return i < s.Length ? s[i] : '\0';
    }
}
