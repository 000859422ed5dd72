using System.Buffers;
using System.Buffers.Binary;

namespace BackupCore.Archive;

/// <summary>
/// The custom format's per-entry data offset: one <see cref="ArchiveOffsetState"/> flag byte, then the position
/// as <see cref="ArchiveFormat.OffsetSize"/> unsigned little-endian bytes (pg_backup_archiver.c, WriteOffset).
/// Its width never depends on the value, so a TOC's length is known before the data positions are.
/// </summary>
public static class ArchiveOffset
{
    public const int Size = 1 + ArchiveFormat.OffsetSize;

    public static void Write(IBufferWriter<byte> writer, ArchiveOffsetState state, long position)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Write(writer.GetSpan(Size), state, position);
        writer.Advance(Size);
    }

    /// <summary>Writes the <see cref="Size"/> bytes of an offset at the start of <paramref name="destination"/> (to fill one in place).</summary>
    public static void Write(Span<byte> destination, ArchiveOffsetState state, long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        destination[0] = (byte)state;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..Size], (ulong)position);
    }

    /// <summary>
    /// Decodes an offset of <paramref name="offsetSize"/> position bytes. False when the flag is unknown or
    /// the position does not fit 63 bits (pg_restore: "unexpected data offset flag", bytes beyond 8 must be 0).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, int offsetSize, out ArchiveOffsetState state, out long position)
    {
        state = default;
        position = 0;
        if (source.Length < 1 + offsetSize || source[0] is < 1 or > 3)
        {
            return false;
        }

        ulong value = 0;
        for (var i = offsetSize - 1; i >= 0; i--)
        {
            var b = source[1 + i];
            if (i >= 8 && b != 0)
            {
                return false;
            }

            value = (value << 8) | b;
        }

        if (value > long.MaxValue)
        {
            return false;
        }

        state = (ArchiveOffsetState)source[0];
        position = (long)value;
        return true;
    }
}
