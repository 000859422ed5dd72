namespace BackupCore.Restore;

/// <summary>A restore that ran in one transaction failed; its message says the database was left as it was.</summary>
public sealed class RestoreFailedException : BackupException
{
    public RestoreFailedException(string message, string? hint, Exception innerException)
        : base(message, hint, innerException)
    {
    }

    public RestoreFailedException()
    {
    }

    public RestoreFailedException(string message)
        : base(message)
    {
    }

    public RestoreFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
