using Microsoft.Extensions.Logging;

namespace BackupFunctions;

/// <summary>Structured log messages of the triggers, event ids 201-299 (the work itself logs from BackupCore's <c>Log</c>, whose header has the table).</summary>
internal static partial class Log
{
    [LoggerMessage(201, LogLevel.Warning, "Nightly backup timer is past due (a missed run is caught up once); last scheduled {LastRun}")]
    public static partial void TimerPastDue(ILogger logger, DateTime? lastRun);

    [LoggerMessage(202, LogLevel.Information, "Nightly backup: run {RunId} for {Targets} (coalesced: {Coalesced}); next at {Next}")]
    public static partial void TimerQueued(ILogger logger, string runId, string targets, bool coalesced, DateTime? next);

    [LoggerMessage(203, LogLevel.Information, "Backup requested over HTTP: run {RunId} for {Targets} (coalesced: {Coalesced}); reason: {Reason}")]
    public static partial void HttpQueued(ILogger logger, string runId, string targets, bool coalesced, string? reason);

    [LoggerMessage(204, LogLevel.Warning, "Backup request rejected: {Error}")]
    public static partial void HttpRejected(ILogger logger, string error);

    [LoggerMessage(205, LogLevel.Information, "Run message {MessageId} for run {RunId} target {Target}, delivery {DequeueCount}")]
    public static partial void MessageReceived(ILogger logger, string messageId, string runId, string target, long dequeueCount);

    [LoggerMessage(206, LogLevel.Error, "Poison message {MessageId} could not be read: {Error}")]
    public static partial void PoisonUnreadable(ILogger logger, string messageId, string error);

    [LoggerMessage(207, LogLevel.Warning, "Weekly verify timer is past due (a missed run is caught up once); last scheduled {LastRun}")]
    public static partial void VerifyPastDue(ILogger logger, DateTime? lastRun);
}
