namespace BackupCore.Anonymization;

/// <summary>
/// <see cref="EmailAddressPattern"/> matched directly on one field's raw COPY text, without decoding it to
/// a string: the fast path of the anonymizer for the common case of ASCII addresses in plain text or in
/// JSON without escapes. It answers only where it is certain to find exactly what the regular expression
/// finds on the decoded value; anywhere a decision would depend on decoding (a non-ASCII byte next to an
/// address, an escape that touches one, an octal/hex or unknown escape anywhere in the field, a JSON
/// escape) it answers <see cref="Scan.Unsure"/> and the caller takes the decoding path.
/// </summary>
internal static class AddressBytes
{
    private const byte Escape = (byte)'\\';

    /// <summary>The outcome of looking for the next address.</summary>
    public enum Scan
    {
        /// <summary>No address from the given offset to the end of the field.</summary>
        None,

        /// <summary>An address at [start, end).</summary>
        Found,

        /// <summary>Only decoding can tell: use the string path for the whole field.</summary>
        Unsure,
    }

    /// <summary>
    /// True when every escape in the field is one of the two-byte escapes COPY TO writes for a backslash or
    /// a control character (<c>\b \f \n \r \t \v \\</c>), which decode to characters outside every class of
    /// the pattern; with <paramref name="noEscapes"/>, when the field holds no backslash at all.
    /// </summary>
    public static bool HasOnlySimpleEscapes(ReadOnlySpan<byte> field, bool noEscapes)
    {
        var i = field.IndexOf(Escape);
        if (i < 0)
        {
            return true;
        }

        if (noEscapes)
        {
            return false;
        }

        while (i >= 0)
        {
            if (i + 1 >= field.Length || field[i + 1] is not ((byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t' or (byte)'v' or Escape))
            {
                return false;
            }

            var next = field[(i + 2)..].IndexOf(Escape);
            i = next < 0 ? -1 : i + 2 + next;
        }

        return true;
    }

    /// <summary>
    /// The next address at or after <paramref name="from"/> (the end of the previous match, or 0), as the
    /// pattern finds it on the decoded value. Call only on fields that pass <see cref="HasOnlySimpleEscapes"/>.
    /// </summary>
    public static Scan Next(ReadOnlySpan<byte> field, int from, out int start, out int end)
    {
        start = end = 0;
        var pos = from;
        while (true)
        {
            var rel = field[pos..].IndexOf((byte)'@');
            if (rel < 0)
            {
                return Scan.None;
            }

            var at = pos + rel;

            // Local part: the run of local characters before '@', not reaching back into the previous match.
            var s = at;
            while (s > from && IsLocal(field[s - 1]))
            {
                s--;
            }

            // A non-ASCII byte before the run may be a letter that extends it (so may one before an empty
            // run); a backslash before a non-empty run makes its first byte an escape letter (\t, \n, ...).
            if (s > from && (field[s - 1] >= 0x80 || (field[s - 1] == Escape && s < at)))
            {
                return Scan.Unsure;
            }

            // Domain part: the run of domain characters after '@'. A backslash ends it (simple escapes
            // decode to non-members); a non-ASCII byte might continue it.
            var e = at + 1;
            while (e < field.Length && IsDomain(field[e]))
            {
                e++;
            }

            if (e < field.Length && field[e] >= 0x80)
            {
                return Scan.Unsure;
            }

            if (s == at)
            {
                pos = at + 1;
                continue;
            }

            // The greedy domain part gives back characters until a '.' with at least one domain character
            // before it is followed by a top-level part ([\w-]+, no dot), which then runs to the next dot.
            var dot = -1;
            for (var k = e - 2; k >= at + 2; k--)
            {
                if (field[k] == (byte)'.' && field[k + 1] != (byte)'.')
                {
                    dot = k;
                    break;
                }
            }

            if (dot < 0)
            {
                pos = at + 1;
                continue;
            }

            var tldEnd = dot + 1;
            while (tldEnd < e && field[tldEnd] != (byte)'.')
            {
                tldEnd++;
            }

            start = s;
            end = tldEnd;
            return Scan.Found;
        }
    }

    /// <summary>
    /// The fail-closed scan's fast answer for a field that passed <see cref="HasOnlySimpleEscapes"/>: true
    /// when every <c>@</c> in it sits inside one of the anonymizer's replacements (any form) whose neighbours cannot
    /// extend it into a longer address (so no foreign address can be there); false when decoding must
    /// decide. Deliberately independent of <see cref="Next"/>: an <c>@</c> that is not a replacement is
    /// never judged here, however harmless it looks.
    /// </summary>
    public static bool OnlyReplacements(ReadOnlySpan<byte> field)
    {
        var at = field.IndexOf((byte)'@');
        while (at >= 0)
        {
            if (!field[(at + 1)..].StartsWith("example.com"u8))
            {
                return false;
            }

            // Dots right after the address only end a sentence: the pattern's top-level part needs a
            // character after its dot, so "nobody@example.com." still matches as the replacement.
            var right = at + 12;
            while (right < field.Length && field[right] == (byte)'.')
            {
                right++;
            }

            var left = at - 6;
            if (left < 0 || !field[left..at].SequenceEqual("nobody"u8))
            {
                // The tagged form nobody+TAG@, or the compact form TAG@, with TAG in the base32 alphabet.
                var t = at;
                while (t > 0 && field[t - 1] is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'2' and <= (byte)'7'))
                {
                    t--;
                }

                if (t >= 7 && at > t && field[(t - 7)..t].SequenceEqual("nobody+"u8))
                {
                    left = t - 7;
                }
                else if (at - t >= AddressTagger.MinimumTagLength)
                {
                    left = t;
                }
                else
                {
                    return false;
                }
            }

            if ((left > 0 && !IsHardBoundary(field[left - 1])) || (right < field.Length && !IsHardBoundary(field[right])))
            {
                return false;
            }

            var next = field[right..].IndexOf((byte)'@');
            at = next < 0 ? -1 : right + next;
        }

        return true;
    }

    // ASCII, outside every class of the pattern, and not a backslash (whose escape letter would follow).
    private static bool IsHardBoundary(byte b) => b < 0x80 && b != Escape && !IsDomain(b) && b != (byte)'+';

    // ASCII members of \p{L}\p{M}\p{Nd}\p{Pc}: letters, digits, underscore.
    private static bool IsWord(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a' || (uint)(b - '0') <= 9 || b == (byte)'_';

    private static bool IsLocal(byte b) => IsWord(b) || b is (byte)'.' or (byte)'+' or (byte)'-';

    private static bool IsDomain(byte b) => IsWord(b) || b is (byte)'.' or (byte)'-';
}
