using Microsoft.Extensions.Logging;

namespace BackupCore.Storage;

/// <summary>The storage area's log messages (source-generated; structured fields, never secrets).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Store}: published {Key} ({Bytes} bytes, {Parts} parts, version {VersionId})")]
    public static partial void Published(ILogger logger, string store, string key, long bytes, int parts, string? versionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Store}: run {RunId} not committed; aborted {Uploads} multipart uploads")]
    public static partial void Aborted(ILogger logger, string store, string runId, int uploads);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Store}: removed version {VersionId} of {Key} published by a failed commit")]
    public static partial void RolledBack(ILogger logger, string store, string key, string versionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Store}: could not clean up {Key} after a failure: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string store, string key, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Store}: aborted stale multipart upload of {Key} started {Initiated}")]
    public static partial void StaleUploadAborted(ILogger logger, string store, string key, DateTime initiated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Store}: bucket versioning is {Status}; a new backup replaces the previous one for good")]
    public static partial void VersioningOff(ILogger logger, string store, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Store}: retention deleted {File} (older than {KeepDays} days)")]
    public static partial void RetentionDeleted(ILogger logger, string store, string file, int keepDays);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Store}: removed {File}, left behind by a run that was killed")]
    public static partial void AbandonedRemoved(ILogger logger, string store, string file);
}
