using Microsoft.Extensions.Logging;

namespace BackupCore.Anonymization;

/// <summary>Source-generated log messages of the anonymizer: once per run or table, never row data or the key.</summary>
internal static partial class AnonymizationLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Anonymization key not set: this run uses a random key, so distinct replacements differ from other runs")]
    public static partial void RandomKey(ILogger logger);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Anonymized {Table}: {Values} values replaced")]
    public static partial void TableAnonymized(ILogger logger, string table, long values);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Anonymized {Comments} comments")]
    public static partial void CommentsAnonymized(ILogger logger, int comments);
}
