using Amazon.Runtime;
using BackupCore;
using BackupCore.Restore;
using BackupCore.Storage;
using Npgsql;

namespace BackupCli;

/// <summary>
/// The last word on a failure: whatever was thrown becomes one <c>error:</c> line (what failed, the object, the cause)
/// and a <c>hint:</c> line when the fix is known, with its exit code; never a stack trace unless <c>--verbose</c>.
/// </summary>
internal static class ErrorReport
{
    // Exit codes by exception type, checked in order (a subclass before its base); anything else is 1.
    private static readonly (Type Type, int ExitCode)[] ExitCodeByType =
    [
        (typeof(PgRestoreNotFoundException), ExitCodes.ToolMissing),
        (typeof(ArtifactIntegrityException), ExitCodes.VerificationFailed),
        (typeof(UsageException), ExitCodes.Usage),

        // The target is a server this build does not back up: a configuration error, like a bad setting.
        (typeof(BackupCore.Catalog.UnsupportedServerVersionException), ExitCodes.Usage),
    ];

    public static async Task<int> WriteAsync(CliContext context, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var stderr = context.Stderr;
        if (context.Interrupt.IsRequested)
        {
            // Whatever the interrupted step threw (OperationCanceledException, or a connection closed under it), the cause is the signal.
            Terminal.RestoreCursor(stderr);
            await stderr.WriteLineAsync("cancelled");
            return context.Interrupt.ExitCode;
        }

        var (message, hint) = Describe(exception);
        await stderr.WriteLineAsync("error: " + message);
        if (hint is not null)
        {
            await stderr.WriteLineAsync("hint: " + hint);
        }

        if (context.Verbose)
        {
            await WriteDetailsAsync(stderr, exception);
        }

        return ExitCode(exception);
    }

    public static int ExitCode(Exception exception)
    {
        foreach (var (type, code) in ExitCodeByType)
        {
            if (type.IsInstanceOfType(exception))
            {
                return code;
            }
        }

        return ExitCodes.Failed;
    }

    /// <summary>One line naming what failed, and the fix when known, for any exception.</summary>
    internal static (string Message, string? Hint) Describe(Exception exception) => exception switch
    {
        BackupException be => (be.Message, be.Hint),
        AggregateException { InnerExceptions.Count: > 0 } ae => Describe(ae.InnerExceptions[0]),
        OperationCanceledException oce when oce.InnerException is TimeoutException or null =>
            ("the operation timed out", "check that the server answers; run again with --verbose for details"),
        // The runtime's own message names the path ("Access to the path '/x' is denied").
        IOException or UnauthorizedAccessException => FileErrors.IsDiskFull(exception)
            ? ($"no space left on the device ({exception.Message})", "free space there or choose another folder")
            : (exception.Message, null),
        PostgresException pg => ($"the server reported {pg.Severity} {pg.SqlState}: {pg.MessageText}", pg.Hint),
        NpgsqlException npgsql => ($"database: {npgsql.Message}", "check the connection settings (--connection, PG* variables)"),
        AmazonServiceException s3 => ($"S3: {s3.ErrorCode} (HTTP {(int)s3.StatusCode}): {s3.Message}", null),
        AmazonClientException client => ($"S3 client: {client.Message}", "credentials and region come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION or the AWS profile"),
        HttpRequestException http => ($"network: {http.Message}", "check the endpoint and the network path"),
        _ => ($"unexpected {exception.GetType().Name}: {exception.Message}", "run again with --verbose for details, and report it if it persists"),
    };

    /// <summary>The exception chain with types and the stack trace: for <c>--verbose</c>, never by default.</summary>
    private static async Task WriteDetailsAsync(TextWriter stderr, Exception exception)
    {
        await stderr.WriteLineAsync("details:");
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // A server error's full message can carry its DETAIL, which may quote row values: its parts are named instead.
            await stderr.WriteLineAsync(e is PostgresException pg
                ? $"  {e.GetType().FullName}: {pg.Severity} {pg.SqlState}: {pg.MessageText} (where: {pg.Where ?? "-"})"
                : $"  {e.GetType().FullName}: {e.Message}");
        }

        await stderr.WriteLineAsync(exception.StackTrace ?? "");
    }
}
