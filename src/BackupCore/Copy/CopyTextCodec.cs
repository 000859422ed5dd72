using System.Buffers;

namespace BackupCore.Copy;

/// <summary>
/// One field of PostgreSQL's COPY text format (PostgreSQL docs, "COPY", File Formats, Text Format):
/// fields are separated by a tab, rows end with a newline, <c>\N</c> alone is NULL, and a backslash
/// starts an escape: <c>\b \f \n \r \t \v</c>, <c>\\</c>, octal <c>\NNN</c> (1-3 digits), hex
/// <c>\xHH</c> (1-2 digits); any other escaped character stands for itself.
/// The codec works on bytes: escapes are ASCII, so encoding never splits a multibyte UTF-8 character.
/// </summary>
public static class CopyTextCodec
{
    public const byte FieldDelimiter = (byte)'\t';

    public const byte RowDelimiter = (byte)'\n';

    public const byte Escape = (byte)'\\';

    /// <summary>The field is exactly <c>\N</c> (SQL NULL).</summary>
    public static bool IsNull(ReadOnlySpan<byte> field) => field.Length == 2 && field[0] == Escape && field[1] == (byte)'N';

    /// <summary>The longest a decoded field can be: escapes only ever shrink.</summary>
    public static int MaxDecodedLength(int fieldLength) => fieldLength;

    /// <summary>The longest an encoded value can be: every byte may become a two-byte escape.</summary>
    public static int MaxEncodedLength(int valueLength) => valueLength * 2;

    /// <summary>
    /// Decodes one non-NULL field into <paramref name="destination"/> (at least <see cref="MaxDecodedLength"/>
    /// bytes) and returns the number of bytes written.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> field, Span<byte> destination)
    {
        var written = 0;
        while (true)
        {
            var next = field.IndexOf(Escape);
            if (next < 0)
            {
                field.CopyTo(destination[written..]);
                return written + field.Length;
            }

            field[..next].CopyTo(destination[written..]);
            written += next;
            field = field[(next + 1)..];
            if (field.IsEmpty)
            {
                // A lone trailing backslash; the server never sends one, keep it rather than lose a byte.
                destination[written++] = Escape;
                return written;
            }

            var c = field[0];
            var consumed = 1;
            byte value;
            switch (c)
            {
                case (byte)'b': value = 0x08; break;
                case (byte)'f': value = 0x0C; break;
                case (byte)'n': value = 0x0A; break;
                case (byte)'r': value = 0x0D; break;
                case (byte)'t': value = 0x09; break;
                case (byte)'v': value = 0x0B; break;
                case >= (byte)'0' and <= (byte)'7':
                {
                    // copyfromparse.c: up to three octal digits, value taken modulo 256.
                    var v = c - '0';
                    while (consumed < 3 && consumed < field.Length && field[consumed] is >= (byte)'0' and <= (byte)'7')
                    {
                        v = (v * 8) + (field[consumed] - '0');
                        consumed++;
                    }

                    value = (byte)v;
                    break;
                }

                case (byte)'x' when field.Length > 1 && HexValue(field[1]) >= 0:
                {
                    // \x followed by one or two hex digits; a bare \x is just "x".
                    var v = HexValue(field[1]);
                    consumed = 2;
                    if (field.Length > 2 && HexValue(field[2]) is var low and >= 0)
                    {
                        v = (v * 16) + low;
                        consumed = 3;
                    }

                    value = (byte)v;
                    break;
                }

                default: value = c; break;
            }

            destination[written++] = value;
            field = field[consumed..];
        }
    }

    /// <summary>Decodes one non-NULL field into a new array (tests and slow paths).</summary>
    public static byte[] Decode(ReadOnlySpan<byte> field)
    {
        var buffer = new byte[MaxDecodedLength(field.Length)];
        var n = Decode(field, buffer);
        return buffer[..n];
    }

    /// <summary>
    /// Encodes a value the way the server's COPY TO does (copyto.c, CopyAttributeOutText): backslash,
    /// tab, newline, carriage return, backspace, form feed and vertical tab become two-byte escapes;
    /// every other byte, including each byte of a multibyte character, is copied as is.
    /// </summary>
    public static void Encode(ReadOnlySpan<byte> value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(MaxEncodedLength(value.Length));
        var written = Encode(value, span);
        output.Advance(written);
    }

    /// <summary>Encodes into <paramref name="destination"/> (at least <see cref="MaxEncodedLength"/> bytes).</summary>
    public static int Encode(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        var written = 0;
        while (true)
        {
            var next = value.IndexOfAny(NeedsEscape);
            if (next < 0)
            {
                value.CopyTo(destination[written..]);
                return written + value.Length;
            }

            value[..next].CopyTo(destination[written..]);
            written += next;
            destination[written++] = Escape;
            destination[written++] = value[next] switch
            {
                0x08 => (byte)'b',
                0x09 => (byte)'t',
                0x0A => (byte)'n',
                0x0B => (byte)'v',
                0x0C => (byte)'f',
                0x0D => (byte)'r',
                _ => Escape,
            };
            value = value[(next + 1)..];
        }
    }

    /// <summary>
    /// True when decoding the field could yield an <c>@</c> or (for JSON) a <c>\u</c> escape, i.e. when
    /// the anonymizer must look at it: a raw <c>@</c>, an octal or hex escape, or, with
    /// <paramref name="jsonEscapes"/>, an escaped backslash followed by <c>u</c>.
    /// Must be called on text that starts at a field or row boundary, so that escapes pair up.
    /// </summary>
    public static int IndexOfAddressCandidate(ReadOnlySpan<byte> text, bool jsonEscapes)
    {
        var offset = 0;
        while (true)
        {
            var i = text.IndexOfAny((byte)'@', Escape);
            if (i < 0)
            {
                return -1;
            }

            if (text[i] == (byte)'@')
            {
                return offset + i;
            }

            if (i + 1 >= text.Length)
            {
                return -1;
            }

            var c = text[i + 1];
            if (c == (byte)'x' || c is >= (byte)'0' and <= (byte)'7')
            {
                return offset + i;
            }

            if (jsonEscapes && c == Escape && i + 2 < text.Length && text[i + 2] == (byte)'u')
            {
                return offset + i;
            }

            offset += i + 2;
            text = text[(i + 2)..];
        }
    }

    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create([0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, Escape]);

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
