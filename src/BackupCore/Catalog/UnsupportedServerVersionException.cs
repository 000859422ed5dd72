namespace BackupCore.Catalog;

/// <summary>
/// The server's major is outside <see cref="SupportedServerVersions"/>: a configuration error (the target points at
/// a server this build cannot back up), not a failed run that another attempt could fix.
/// </summary>
public sealed class UnsupportedServerVersionException : BackupException
{
    public UnsupportedServerVersionException(string message, PgVersion version)
        : base(message)
    {
        Version = version;
    }

    public UnsupportedServerVersionException()
    {
    }

    public UnsupportedServerVersionException(string message)
        : base(message)
    {
    }

    public UnsupportedServerVersionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PgVersion Version { get; }
}
