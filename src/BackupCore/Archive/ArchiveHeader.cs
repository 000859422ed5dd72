using System.Buffers;

namespace BackupCore.Archive;

/// <summary>
/// The archive header (pg_backup_archiver.c, WriteHead/ReadHead): magic, version, int and offset sizes,
/// format, compression, creation time, database name, server and dumper version strings.
/// </summary>
/// <param name="VersionMajor">1.</param>
/// <param name="VersionMinor">14 for archives this project writes.</param>
/// <param name="VersionRevision">0.</param>
/// <param name="IntSize">Value bytes of an Int (4).</param>
/// <param name="OffsetSize">Position bytes of an offset (8).</param>
/// <param name="Format">1 = custom.</param>
/// <param name="Compression">Up to 1.14 the zlib level (-1 default, 0 none, 1..9); from 1.15 the algorithm
/// (0 none, 1 gzip, 2 lz4, 3 zstd).</param>
/// <param name="CreatedAt">The creation time fields as a wall-clock time (the archive stores no zone).</param>
/// <param name="DatabaseName">The dumped database.</param>
/// <param name="ServerVersion">Free text, printed by pg_restore as "Dumped from database version".</param>
/// <param name="DumperVersion">Free text, printed as "Dumped by pg_dump version".</param>
public sealed record ArchiveHeader(
    byte VersionMajor,
    byte VersionMinor,
    byte VersionRevision,
    byte IntSize,
    byte OffsetSize,
    byte Format,
    int Compression,
    DateTime CreatedAt,
    string? DatabaseName,
    string? ServerVersion,
    string? DumperVersion)
{
    public int Version => ArchiveFormat.MakeVersion(VersionMajor, VersionMinor, VersionRevision);

    public string VersionText => $"{VersionMajor}.{VersionMinor}.{VersionRevision}";

    /// <summary>True when the data blocks hold zlib streams (level ≠ 0 up to 1.14, algorithm gzip from 1.15).</summary>
    public bool IsZlibCompressed => Version < ArchiveFormat.MakeVersion(1, 15, 0) ? Compression != 0 : Compression == 1;

    /// <summary>A header for a 1.14 archive as this project writes it.</summary>
    public static ArchiveHeader ForWriting(int compressionLevel, DateTime createdAt, string databaseName, string serverVersion, string dumperVersion) =>
        new(
            ArchiveFormat.VersionMajor,
            ArchiveFormat.VersionMinor,
            ArchiveFormat.VersionRevision,
            ArchiveFormat.IntSize,
            ArchiveFormat.OffsetSize,
            ArchiveFormat.FormatCustom,
            compressionLevel,
            createdAt,
            databaseName,
            serverVersion,
            dumperVersion);

    /// <summary>Writes the header in the 1.14 layout (the only layout this project writes).</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Version != ArchiveFormat.MakeVersion(ArchiveFormat.VersionMajor, ArchiveFormat.VersionMinor, ArchiveFormat.VersionRevision)
            || IntSize != ArchiveFormat.IntSize || OffsetSize != ArchiveFormat.OffsetSize)
        {
            throw new InvalidOperationException($"only archive version {ArchiveFormat.VersionText} with 4-byte ints and 8-byte offsets is written, not {VersionText}");
        }

        var fixedPart = writer.GetSpan(11);
        ArchiveFormat.Magic.CopyTo(fixedPart);
        fixedPart[5] = VersionMajor;
        fixedPart[6] = VersionMinor;
        fixedPart[7] = VersionRevision;
        fixedPart[8] = IntSize;
        fixedPart[9] = OffsetSize;
        fixedPart[10] = Format;
        writer.Advance(11);

        // 1.14 stores the compression as an Int level; 1.15 changed it to one algorithm byte (e9960732a9).
        ArchiveInt.Write(writer, Compression);

        // struct tm fields: tm_mon is 0-11, tm_year counts from 1900; isdst 0 (pg_restore only displays it).
        ArchiveInt.Write(writer, CreatedAt.Second);
        ArchiveInt.Write(writer, CreatedAt.Minute);
        ArchiveInt.Write(writer, CreatedAt.Hour);
        ArchiveInt.Write(writer, CreatedAt.Day);
        ArchiveInt.Write(writer, CreatedAt.Month - 1);
        ArchiveInt.Write(writer, CreatedAt.Year - 1900);
        ArchiveInt.Write(writer, 0);

        ArchiveString.Write(writer, DatabaseName);
        ArchiveString.Write(writer, ServerVersion);
        ArchiveString.Write(writer, DumperVersion);
    }
}
