using BackupCore;

namespace BackupCli;

/// <summary>A bad option or setting found while the command runs (not by the parser): exit code 2.</summary>
public sealed class UsageException : BackupException
{
    public UsageException(string message, string? hint = null, Exception? innerException = null)
        : base(message, hint, innerException)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
