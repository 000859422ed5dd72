using BackupCore.Scheduling;
using Microsoft.Extensions.Logging;

namespace BackupCore;

/// <summary>
/// Every log message of the core library, source-generated (<see cref="LoggerMessageAttribute"/>): structured fields,
/// once per run, table or store, never per row, never row data or secrets. Event ids by area (the Functions app's
/// triggers use 201-299 in their own <c>Log</c>):
/// <list type="table">
/// <item><term>1-99</term><description>Backup/: one backup run</description></item>
/// <item><term>101-199</term><description>Scheduling/: queued runs and weekly verifications</description></item>
/// <item><term>3001-3999</term><description>Anonymization/</description></item>
/// <item><term>4001-4999</term><description>Archive/</description></item>
/// <item><term>5001-5999</term><description>Storage/</description></item>
/// </list>
/// </summary>
internal static partial class Log
{
    // Backup: one run of one target (Backup/): 1-99
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

    // Scheduling: the app's queued runs and weekly verifications (Scheduling/): 101-199
    [LoggerMessage(101, LogLevel.Information, "Run {RunId} ({Trigger}) queued for {Targets}; reason: {Reason}")]
    public static partial void Queued(ILogger logger, string runId, string trigger, string targets, string? reason);

    [LoggerMessage(102, LogLevel.Information, "Run {RunId} ({Trigger}): target {Target} is already queued or running in run {OtherRunId}; no second dump")]
    public static partial void Coalesced(ILogger logger, string runId, string trigger, string target, string otherRunId);

    [LoggerMessage(103, LogLevel.Information, "Run {RunId}: target {Target} attempt {Attempt} started")]
    public static partial void TargetStarted(ILogger logger, string runId, string target, int attempt);

    [LoggerMessage(104, LogLevel.Information, "Run {RunId}: target {Target} succeeded in {DurationMs} ms: {Tables} tables, {Rows} rows, {Bytes} bytes, {Artifacts} artifacts")]
    public static partial void TargetSucceeded(ILogger logger, string runId, string target, long durationMs, int tables, long rows, long bytes, int artifacts);

    [LoggerMessage(105, LogLevel.Warning, "Run {RunId}: target {Target} attempt {Attempt} of {MaxAttempts} failed, will retry: {Error}")]
    public static partial void TargetRetrying(ILogger logger, string runId, string target, int attempt, int maxAttempts, string error);

    [LoggerMessage(106, LogLevel.Error, "Run {RunId}: target {Target} failed after {Attempt} attempts: {Error}")]
    public static partial void TargetFailed(ILogger logger, string runId, string target, int attempt, string error);

    [LoggerMessage(107, LogLevel.Warning, "Run {RunId}: target {Target} is already {State}; message ignored")]
    public static partial void AlreadyFinal(ILogger logger, string runId, string target, RunState state);

    [LoggerMessage(108, LogLevel.Warning, "Run {RunId} not found; message for target {Target} ignored")]
    public static partial void RunNotFound(ILogger logger, string runId, string target);

    [LoggerMessage(109, LogLevel.Error, "Run {RunId}: target {Target} abandoned (poison message): {Error}")]
    public static partial void Abandoned(ILogger logger, string runId, string target, string error);

    [LoggerMessage(110, LogLevel.Warning, "Run {RunId}: target {Target} stopped by cancellation at attempt {Attempt}; the message will be delivered again")]
    public static partial void Cancelled(ILogger logger, string runId, string target, int attempt);

    [LoggerMessage(112, LogLevel.Information, "Verification of target {Target} started: latest backup in {Store}")]
    public static partial void VerificationStarted(ILogger logger, string target, string store);

    [LoggerMessage(113, LogLevel.Information, "Verification of target {Target} passed: backup {BackupRunId} (version {VersionId}) in {DurationMs} ms, {Checks} checks, {Tables} tables' row counts match")]
    public static partial void VerificationPassed(ILogger logger, string target, string? backupRunId, string? versionId, long durationMs, int checks, int tables);

    [LoggerMessage(114, LogLevel.Error, "Verification of target {Target} failed: backup {BackupRunId} (version {VersionId}): {Problems}")]
    public static partial void VerificationFailed(ILogger logger, string target, string? backupRunId, string? versionId, string problems);

    // Anonymization: once per run or table, never row data or the key (Anonymization/): 3001-3999
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Anonymization key not set: this run uses a random key, so distinct replacements differ from other runs")]
    public static partial void RandomKey(ILogger logger);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Anonymized {Table}: {Values} values replaced")]
    public static partial void TableAnonymized(ILogger logger, string table, long values);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Anonymized {Comments} comments")]
    public static partial void CommentsAnonymized(ILogger logger, int comments);

    // Archive: one line per table and per archive (Archive/): 4001-4999
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "archive: table {Schema}.{Table}: {Rows} rows, {Bytes} COPY bytes stored as {StoredBytes} bytes")]
    public static partial void TableBlockWritten(ILogger logger, string schema, string table, long rows, long bytes, long storedBytes);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "archive: {Entries} TOC entries, {Blocks} data blocks, {Bytes} bytes (header and TOC {TocBytes}) written as version {Version}")]
    public static partial void ArchiveWritten(ILogger logger, int entries, int blocks, long bytes, int tocBytes, string version);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "archive: the output cannot seek, so the TOC gives no position for its {Blocks} data blocks; pg_restore finds them by scanning")]
    public static partial void OffsetsNotSet(ILogger logger, int blocks);

    // Storage: publications, rollbacks, retention, never secrets (Storage/): 5001-5999
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "{Store}: published {Key} ({Bytes} bytes, {Parts} parts, version {VersionId})")]
    public static partial void Published(ILogger logger, string store, string key, long bytes, int parts, string? versionId);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "{Store}: run {RunId} not committed; aborted {Uploads} multipart uploads")]
    public static partial void Aborted(ILogger logger, string store, string runId, int uploads);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "{Store}: removed version {VersionId} of {Key} published by a failed commit")]
    public static partial void RolledBack(ILogger logger, string store, string key, string versionId);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "{Store}: could not clean up {Key} after a failure: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string store, string key, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "{Store}: aborted stale multipart upload of {Key} started {Initiated}")]
    public static partial void StaleUploadAborted(ILogger logger, string store, string key, DateTime initiated);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "{Store}: bucket versioning is {Status}; a new backup replaces the previous one for good")]
    public static partial void VersioningOff(ILogger logger, string store, string status);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "{Store}: retention deleted {File} (older than {KeepDays} days)")]
    public static partial void RetentionDeleted(ILogger logger, string store, string file, int keepDays);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "{Store}: removed {File}, left behind by a run that was killed")]
    public static partial void AbandonedRemoved(ILogger logger, string store, string file);
}
