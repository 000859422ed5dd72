namespace BackupCore.Archive;

/// <summary>
/// Constants of the custom archive format (<c>pg_dump -Fc</c>) as this project writes it: version 1.14.0,
/// which pg_restore 12 through 18 read (pg_backup_archiver.h: K_VERS_1_14; 12–15 accept at most 1.14.255,
/// 16+ accept everything from 1.0 up to their own version). See docs/archive-format.md.
/// </summary>
public static class ArchiveFormat
{
    /// <summary>The file starts with these five ASCII bytes, no terminator (pg_backup_archiver.c, WriteHead).</summary>
    public static ReadOnlySpan<byte> Magic => "PGDMP"u8;

    public const byte VersionMajor = 1;
    public const byte VersionMinor = 14;
    public const byte VersionRevision = 0;

    /// <summary>"1.14.0", for messages and the manifest.</summary>
    public const string VersionText = "1.14.0";

    /// <summary>The oldest pg_restore that reads archive version 1.14 (tableam field, PostgreSQL 12).</summary>
    public const int MinimumPgRestoreMajor = 12;

    /// <summary>sizeof(int) as pg_dump writes it on every supported platform; Int fields are 1 sign byte + this.</summary>
    public const byte IntSize = 4;

    /// <summary>sizeof(pgoff_t): offsets are 1 flag byte + this many bytes.</summary>
    public const byte OffsetSize = 8;

    /// <summary>archCustom in pg_backup.h's ArchiveFormat enum.</summary>
    public const byte FormatCustom = 1;

    /// <summary>pg_backup_custom.c: a table-data block.</summary>
    public const byte BlockData = 1;

    /// <summary>pg_backup_custom.c: the BLOBS entry's block of large objects.</summary>
    public const byte BlockBlobs = 3;

    /// <summary>The header compression Int of 1.14 archives: -1 = zlib at its default level.</summary>
    public const int CompressionDefault = -1;

    /// <summary>The header compression Int of 1.14 archives: 0 = data blocks are not compressed.</summary>
    public const int CompressionNone = 0;

    /// <summary>
    /// pg_dump appends these bytes to every COPY payload (pg_dump.c, dumpTableData_copy): the end-of-data
    /// line followed by two blank lines, which is what pg_restore -f prints after the rows.
    /// </summary>
    public static ReadOnlySpan<byte> CopyTerminator => "\\.\n\n\n"u8;

    /// <summary>The withOids field must be "false": NULL crashes pg_restore, "true" is refused with a warning.</summary>
    public const string WithOidsFalse = "false";

    /// <summary>Encodes a version as pg_backup_archiver.h's MAKE_ARCHIVE_VERSION does.</summary>
    public static int MakeVersion(int major, int minor, int revision) => (((major * 256) + minor) * 256) + revision;
}
