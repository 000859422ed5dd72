namespace BackupCore.Catalog;

/// <summary>
/// The server majors the catalog reader is written and tested for (docs/server-versions.md). Anything outside is
/// refused before a single catalog row is read: an older server lacks catalog columns the queries use, and a newer
/// one may store an object in a way no source knows yet, which would make a backup that silently restores into
/// something else.
/// </summary>
public static class SupportedServerVersions
{
    public static PgVersion Oldest { get; } = PgVersion.V13;

    public static PgVersion Newest { get; } = PgVersion.V18;

    /// <summary>"PostgreSQL 13 to 18".</summary>
    public static string Range => $"PostgreSQL {Oldest.Major} to {Newest.Major}";

    public static bool Includes(PgVersion version) => version.Major >= Oldest.Major && version.Major <= Newest.Major;

    /// <summary>Throws <see cref="UnsupportedServerVersionException"/> naming the database, its version and the range.</summary>
    public static void EnsureSupported(PgVersion version, string reportedVersion, string database)
    {
        if (!Includes(version))
        {
            throw new UnsupportedServerVersionException(
                $"database \"{database}\": PostgreSQL {reportedVersion} is not supported; supported servers are {Range}",
                version);
        }
    }
}
