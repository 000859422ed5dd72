using Microsoft.Extensions.Logging;

namespace BackupCore.Archive;

/// <summary>Log messages of the archive writer: one per table and one per archive, never row data.</summary>
internal static partial class ArchiveLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "archive: table {Schema}.{Table}: {Rows} rows, {Bytes} COPY bytes stored as {StoredBytes} bytes")]
    public static partial void TableBlockWritten(ILogger logger, string schema, string table, long rows, long bytes, long storedBytes);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "archive: {Entries} TOC entries, {Blocks} data blocks, {Bytes} bytes (header and TOC {TocBytes}) written as version {Version}")]
    public static partial void ArchiveWritten(ILogger logger, int entries, int blocks, long bytes, int tocBytes, string version);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "archive: the output cannot seek, so the TOC gives no position for its {Blocks} data blocks; pg_restore finds them by scanning")]
    public static partial void OffsetsNotSet(ILogger logger, int blocks);
}
