namespace BackupCore.Restore;

/// <summary>A downloaded or local artifact does not match its manifest (size or SHA-256): corrupt, truncated or replaced.</summary>
public sealed class ArtifactIntegrityException : BackupException
{
    public ArtifactIntegrityException(string message, string? hint)
        : base(message, hint)
    {
    }

    public ArtifactIntegrityException(string message, string? hint, Exception? innerException)
        : base(message, hint, innerException)
    {
    }

    public ArtifactIntegrityException()
    {
    }

    public ArtifactIntegrityException(string message)
        : base(message)
    {
    }

    public ArtifactIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
