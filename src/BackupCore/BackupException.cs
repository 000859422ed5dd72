namespace BackupCore;

/// <summary>
/// The one domain exception: its message names the object and the cause
/// ("table \"infinite-prod\".events: COPY failed: ..."); <see cref="Hint"/> says the fix when it is known.
/// Messages never contain secrets or row data.
/// </summary>
public class BackupException : Exception
{
    public BackupException(string message, string? hint = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Hint = hint;
    }

    public BackupException()
    {
    }

    public BackupException(string message)
        : base(message)
    {
    }

    public BackupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What to do about it, when known.</summary>
    public string? Hint { get; }
}
