using Microsoft.Extensions.Logging;

namespace BackupCore.Scheduling;

/// <summary>Structured log messages of run scheduling and execution (run id and target in every line).</summary>
internal static partial class RunLog
{
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
}
