namespace BackupCore.Restore;

/// <summary>
/// A statement of the script failed on the server; the restore stopped there (unlike psql without
/// ON_ERROR_STOP, which carries on and exits 0). The message names the line, the statement and the SQLSTATE.
/// </summary>
public sealed class RestoreStatementException : BackupException
{
    public RestoreStatementException(string message, string? hint, long line, string statement, string? sqlState, Exception? innerException)
        : base(message, hint, innerException)
    {
        Line = line;
        Statement = statement;
        SqlState = sqlState;
    }

    public RestoreStatementException()
    {
        Statement = "";
    }

    public RestoreStatementException(string message)
        : base(message)
    {
        Statement = "";
    }

    public RestoreStatementException(string message, Exception innerException)
        : base(message, innerException)
    {
        Statement = "";
    }

    /// <summary>1-based line of the script where the error is (the statement's first line, or the COPY data line).</summary>
    public long Line { get; }

    /// <summary>First line of the failing statement.</summary>
    public string Statement { get; }

    public string? SqlState { get; }
}
