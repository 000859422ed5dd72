using System.Buffers;
using System.Buffers.Binary;

namespace BackupCore.Archive;

/// <summary>
/// The archive's Int: a sign byte (0 = non-negative, 1 = negative) then the absolute value, little-endian,
/// in <see cref="ArchiveFormat.IntSize"/> bytes. Sign-magnitude, not two's complement
/// (pg_backup_archiver.c, WriteInt/ReadInt). -1 is <c>01 01 00 00 00</c>, 3403 is <c>00 4B 0D 00 00</c>.
/// </summary>
public static class ArchiveInt
{
    /// <summary>Encoded size with intSize 4.</summary>
    public const int Size = 1 + ArchiveFormat.IntSize;

    public static void Write(Span<byte> destination, int value)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"an archive Int needs {Size} bytes", nameof(destination));
        }

        // int.MinValue has no positive counterpart in an int; its magnitude still fits the 4 unsigned bytes.
        var magnitude = value < 0 ? (uint)-(long)value : (uint)value;
        destination[0] = value < 0 ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], magnitude);
    }

    public static void Write(IBufferWriter<byte> writer, int value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Write(writer.GetSpan(Size), value);
        writer.Advance(Size);
    }

    /// <summary>
    /// Decodes an Int of <paramref name="intSize"/> value bytes. Returns false when the bytes cannot be an Int
    /// pg_dump wrote: a sign byte other than 0/1, or a magnitude beyond 32 bits.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, int intSize, out int value)
    {
        value = 0;
        if (source.Length < 1 + intSize || source[0] > 1)
        {
            return false;
        }

        ulong magnitude = 0;
        for (var i = intSize - 1; i >= 0; i--)
        {
            var b = source[1 + i];
            if (i >= 4 && b != 0)
            {
                return false;
            }

            magnitude = (magnitude << 8) | b;
        }

        var signed = source[0] == 1 ? -(long)magnitude : (long)magnitude;
        if (signed is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)signed;
        return true;
    }
}
