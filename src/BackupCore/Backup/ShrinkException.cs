namespace BackupCore.Backup;

/// <summary>
/// A run stopped by <see cref="ShrinkGuard"/> with <c>Backup:FailOnShrink</c>: the data itself shrank, so another
/// attempt would read the same database and fail the same way (<see cref="RunExecutor"/> does not retry it).
/// </summary>
public sealed class ShrinkException : BackupException
{
    public ShrinkException(string message, string? hint)
        : base(message, hint)
    {
    }

    public ShrinkException()
    {
    }

    public ShrinkException(string message)
        : base(message)
    {
    }

    public ShrinkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
