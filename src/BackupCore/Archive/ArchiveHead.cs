using System.Buffers;
using BackupCore.Plan;

namespace BackupCore.Archive;

/// <summary>
/// The header and TOC of an archive, encoded once from the plan before the first row: entries with data carry
/// the offset flag NOT_SET and position 0, as pg_dump writes them first (pg_backup_custom.c, <c>_ArchiveEntry</c>
/// and <c>_WriteExtraToc</c>), and each gets POS_SET with its block's position when the block starts (<c>_StartData</c>).
/// The offset is the last field of a TOC entry and has a fixed width, so the head's length is final from the start;
/// that is what lets a store reserve it and write it after the blocks.
/// </summary>
internal sealed class ArchiveHead
{
    private readonly byte[] _bytes;
    private readonly Dictionary<int, int> _offsetFields;

    private ArchiveHead(byte[] bytes, Dictionary<int, int> offsetFields)
    {
        _bytes = bytes;
        _offsetFields = offsetFields;
        PositionsUnset = offsetFields.Count;
    }

    /// <summary>Header plus TOC bytes: where the first data block starts.</summary>
    public int Length => _bytes.Length;

    /// <summary>The head as it stands (NOT_SET offsets until <see cref="SetDataPosition"/>).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>Data entries whose block has not started yet.</summary>
    public int PositionsUnset { get; private set; }

    public static ArchiveHead Encode(ArchiveHeader header, IReadOnlyList<DumpEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(entries);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        header.Write(buffer);
        ArchiveInt.Write(buffer, entries.Count);
        var offsetFields = new Dictionary<int, int>();
        foreach (var entry in entries)
        {
            ArchiveTocEntryWriter.Write(buffer, entry, entry.HasDataBlock ? ArchiveOffsetState.PositionNotSet : ArchiveOffsetState.NoData, 0);
            if (entry.HasDataBlock)
            {
                offsetFields.Add(entry.DumpId, buffer.WrittenCount - ArchiveOffset.Size);
            }
        }

        return new ArchiveHead(buffer.WrittenSpan.ToArray(), offsetFields);
    }

    /// <summary>Records where the data block of <paramref name="dumpId"/> starts: the absolute position of its type byte.</summary>
    public void SetDataPosition(int dumpId, long position)
    {
        if (!_offsetFields.TryGetValue(dumpId, out var field) || (ArchiveOffsetState)_bytes[field] != ArchiveOffsetState.PositionNotSet)
        {
            throw new InvalidOperationException($"archive head: entry {dumpId} has no data offset to set, or it was set already");
        }

        ArchiveOffset.Write(_bytes.AsSpan(field), ArchiveOffsetState.PositionSet, position);
        PositionsUnset--;
    }
}
