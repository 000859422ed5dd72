using System.Buffers;
using BackupCore.Plan;

namespace BackupCore.Archive;

/// <summary>
/// Writes one <see cref="DumpEntry"/> as a 1.14 TOC entry (pg_backup_archiver.c, WriteToc, plus the custom
/// format's offset from pg_backup_custom.c, _WriteExtraToc). Field order and NULL/"" choices follow what
/// pg_dump 15 writes; docs/archive-format.md lists them.
/// </summary>
public static class ArchiveTocEntryWriter
{
    public static void Write(IBufferWriter<byte> writer, DumpEntry entry, ArchiveOffsetState offsetState, long position)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(entry);
        if ((offsetState == ArchiveOffsetState.NoData) == entry.HasDataBlock)
        {
            // pg_restore prints a data entry flagged NO_DATA as a COPY with no rows; never write that.
            throw new InvalidOperationException($"TOC entry {entry.DumpId} ({entry.Desc} {entry.Tag}): data flag and offset state {offsetState} disagree");
        }

        ArchiveInt.Write(writer, entry.DumpId);
        ArchiveInt.Write(writer, entry.HasDataBlock ? 1 : 0);
        ArchiveString.Write(writer, entry.TableOid);
        ArchiveString.Write(writer, entry.Oid);
        ArchiveString.Write(writer, entry.Tag);
        ArchiveString.Write(writer, entry.Desc);
        ArchiveInt.Write(writer, (int)entry.Section);

        // pg_dump leaves defn NULL on TABLE DATA and BLOBS entries (their SQL is copyStmt + the block, or the block).
        ArchiveString.Write(writer, entry.HasDataBlock && entry.Definition.Length == 0 ? null : entry.Definition);
        ArchiveString.Write(writer, entry.DropStatement);
        ArchiveString.Write(writer, entry.CopyStatement);
        ArchiveString.Write(writer, entry.Namespace);
        ArchiveString.Write(writer, entry.Tablespace);

        // 1.14 added tableam here (3b925e905d); 1.16's relkind Int would follow it and must not be written.
        ArchiveString.Write(writer, entry.TableAccessMethod);
        ArchiveString.Write(writer, entry.Owner);
        ArchiveString.Write(writer, ArchiveFormat.WithOidsFalse);

        foreach (var dependency in entry.Dependencies)
        {
            ArchiveString.Write(writer, dependency.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        ArchiveString.Write(writer, null);
        ArchiveOffset.Write(writer, offsetState, position);
    }
}
