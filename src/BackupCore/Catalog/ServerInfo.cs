using Npgsql;

namespace BackupCore.Catalog;

/// <summary>
/// What the backup needs to know about the server and database, read once by <c>BackupSession</c> in the dump's
/// snapshot and handed to the catalog reader: the version every version-dependent query is chosen by, the encoding,
/// standard_conforming_strings and the snapshot's time.
/// </summary>
public sealed record ServerInfo
{
    private const string Query = """
        SELECT pg_catalog.current_database(), pg_catalog.pg_encoding_to_char(d.encoding),
               pg_catalog.current_setting('standard_conforming_strings') = 'on', pg_catalog.now()
          FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
        """;

    public required PgVersion Version { get; init; }

    /// <summary>The server's own version text (its <c>server_version</c>), e.g. "15.18 (Debian 15.18-0+deb12u1)".</summary>
    public required string VersionText { get; init; }

    public required string Database { get; init; }

    /// <summary>Database encoding name, e.g. "UTF8".</summary>
    public required string Encoding { get; init; }

    public required bool StandardConformingStrings { get; init; }

    /// <summary>The transaction's start (now()): with REPEATABLE READ, the point in time of every row dumped.</summary>
    public required DateTimeOffset SnapshotTime { get; init; }

    /// <summary>
    /// Reads the facts inside the caller's transaction; the version is the one the server reported at connection
    /// start (<see cref="PgVersion.Of"/>), so it is known, and checked, before this runs.
    /// </summary>
    public static async Task<ServerInfo> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand(Query, connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ServerInfo
        {
            Version = PgVersion.Of(connection),
            VersionText = connection.ServerVersion,
            Database = reader.GetString(0),
            Encoding = reader.GetString(1),
            StandardConformingStrings = reader.GetBoolean(2),
            SnapshotTime = reader.GetFieldValue<DateTimeOffset>(3),
        };
    }
}
