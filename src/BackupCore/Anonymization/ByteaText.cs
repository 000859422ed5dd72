using System.Buffers;
using System.Text;

namespace BackupCore.Anonymization;

/// <summary>
/// bytea values as text for the policy's <c>bytea</c> option: the value's text form (varlena.c byteaout: hex
/// <c>\x4142</c>, or the escape format with <c>\\</c> and <c>\ooo</c>) decoded to its bytes, and the bytes seen
/// as UTF-8 text: every valid UTF-8 sequence is its character, every other byte one U+FFFD (which is no word
/// character, so it ends an address). Replacements in that text are spliced back into the bytes, and the
/// result is printed in hex, which byteain reads whatever the server's bytea_output.
/// </summary>
internal static class ByteaText
{
    private const byte At = (byte)'@';

    /// <summary>The bytes of a bytea text form.</summary>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("\\x", StringComparison.Ordinal))
        {
            try
            {
                return Convert.FromHexString(text.AsSpan(2));
            }
            catch (FormatException ex)
            {
                throw new FormatException("bytea: malformed hex text", ex);
            }
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\')
            {
                if (c > 0xFF)
                {
                    throw new FormatException("bytea: escape format text with a non-byte character");
                }

                bytes.Add((byte)c);
            }
            else if (i + 1 < text.Length && text[i + 1] == '\\')
            {
                bytes.Add((byte)'\\');
                i++;
            }
            else if (i + 3 < text.Length && IsOctal(text[i + 1]) && IsOctal(text[i + 2]) && IsOctal(text[i + 3]))
            {
                bytes.Add((byte)(((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0')));
                i += 3;
            }
            else
            {
                throw new FormatException("bytea: malformed escape");
            }
        }

        return [.. bytes];
    }

    /// <summary>The bytes as text (see the class summary); <paramref name="offsets"/>[k] is where character k starts, plus one entry for the end.</summary>
    public static string ToText(ReadOnlySpan<byte> bytes, List<int> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var sb = new StringBuilder(bytes.Length);
        Span<char> pair = stackalloc char[2];
        var i = 0;
        while (i < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed);
            if (status != OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
                consumed = 1;
            }

            var n = rune.EncodeToUtf16(pair);
            for (var k = 0; k < n; k++)
            {
                offsets.Add(i);
                sb.Append(pair[k]);
            }

            i += consumed;
        }

        offsets.Add(bytes.Length);
        return sb.ToString();
    }

    /// <summary>The value with <paramref name="replacements"/> (in <see cref="ToText"/> coordinates) applied, in hex; null when there are none.</summary>
    public static string? Splice(ReadOnlySpan<byte> bytes, List<int> offsets, IReadOnlyList<TextReplacement>? replacements)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        if (replacements is not { Count: > 0 })
        {
            return null;
        }

        var output = new List<byte>(bytes.Length + 32);
        var copied = 0;
        foreach (var r in replacements)
        {
            output.AddRange(bytes[copied..offsets[r.Start]]);
            output.AddRange(Encoding.UTF8.GetBytes(r.Value));
            copied = offsets[r.Start + r.Length];
        }

        output.AddRange(bytes[copied..]);
        return "\\x" + Convert.ToHexStringLower([.. output]);
    }

    /// <summary>True when the bytes hold an '@', the one byte every address has.</summary>
    public static bool MayHoldAddress(ReadOnlySpan<byte> bytes) => bytes.Contains(At);

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
