using Microsoft.Extensions.Logging;

namespace BackupCore.Backup;

/// <summary>Structured log messages of the core library: once per run or table, never per row, never row data.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Backup {RunId} of {Target} started (stores: {Stores})")]
    public static partial void RunStarted(ILogger logger, string runId, string target, string stores);

    [LoggerMessage(2, LogLevel.Information, "Backup {RunId}: snapshot at {SnapshotTime}, server {ServerVersion}, {Entries} entries, {Tables} tables")]
    public static partial void PlanRead(ILogger logger, string runId, DateTimeOffset snapshotTime, string serverVersion, int entries, int tables);

    [LoggerMessage(3, LogLevel.Information, "Backup {RunId}: table {Schema}.{Table}: {Rows} rows, {Bytes} bytes in {DurationMs} ms")]
    public static partial void TableCopied(ILogger logger, string runId, string schema, string table, long rows, long bytes, long durationMs);

    [LoggerMessage(4, LogLevel.Information, "Backup {RunId} of {Target} committed to {Store}: {Artifacts} artifacts")]
    public static partial void Committed(ILogger logger, string runId, string target, string store, int artifacts);

    [LoggerMessage(5, LogLevel.Error, "Backup {RunId} of {Target} failed: {Reason}")]
    public static partial void RunFailed(ILogger logger, string runId, string target, string reason);

    [LoggerMessage(6, LogLevel.Information, "Backup {RunId} of {Target} finished in {DurationMs} ms: {Rows} rows, {Bytes} bytes of COPY text")]
    public static partial void RunFinished(ILogger logger, string runId, string target, long durationMs, long rows, long bytes);

    [LoggerMessage(8, LogLevel.Debug, "Backup {RunId}: table {Schema}.{Table}: the anonymized artifact took {Reused} of {Segments} compressed segments from the shared compression")]
    public static partial void SegmentsReused(ILogger logger, string runId, string schema, string table, int reused, int segments);

    [LoggerMessage(20, LogLevel.Information, "Backup {RunId}: {Objects} large objects, {Bytes} bytes in {DurationMs} ms")]
    public static partial void LargeObjectsCopied(ILogger logger, string runId, long objects, long bytes, long durationMs);

    [LoggerMessage(7, LogLevel.Warning, "Backup {RunId} of {Target}: {Shrink}")]
    public static partial void Shrank(ILogger logger, string runId, string target, string shrink);

    [LoggerMessage(9, LogLevel.Information, "Removed {Path}, left in the temp directory by a run that was killed")]
    public static partial void AbandonedTempRemoved(ILogger logger, string path);
}
