using System.Text;

namespace BackupCore.Anonymization;

/// <summary>Replace <see cref="Length"/> characters at <see cref="Start"/> of a decoded string with <see cref="Value"/>.</summary>
public readonly record struct TextReplacement(int Start, int Length, string Value)
{
    /// <summary>
    /// Applies replacements (ascending, non-overlapping, in decoded coordinates) to the raw, escaped form
    /// of the string: <paramref name="rawOffsets"/>[i] is where decoded character i starts in
    /// <paramref name="raw"/> (one extra entry: the raw end). Everything outside the replaced ranges stays
    /// byte for byte as it was, so escapes elsewhere in the string are untouched. Replacement values
    /// contain no characters that need escaping in JSON or SQL literals.
    /// </summary>
    public static string Splice(ReadOnlySpan<char> raw, ReadOnlySpan<int> rawOffsets, IReadOnlyList<TextReplacement> replacements)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        var sb = new StringBuilder(raw.Length + 32);
        var copied = 0;
        foreach (var r in replacements)
        {
            var start = rawOffsets[r.Start];
            var end = rawOffsets[r.Start + r.Length];
            sb.Append(raw[copied..start]).Append(r.Value);
            copied = end;
        }

        sb.Append(raw[copied..]);
        return sb.ToString();
    }

    /// <summary>Applies replacements to a plain string.</summary>
    public static string Apply(string text, IReadOnlyList<TextReplacement> replacements)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(replacements);
        var sb = new StringBuilder(text.Length + 32);
        var copied = 0;
        foreach (var r in replacements)
        {
            sb.Append(text, copied, r.Start - copied).Append(r.Value);
            copied = r.Start + r.Length;
        }

        sb.Append(text, copied, text.Length - copied);
        return sb.ToString();
    }
}
