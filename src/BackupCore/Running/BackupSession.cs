using Npgsql;

namespace BackupCore.Running;

/// <summary>
/// The dump's one snapshot: a connection inside <c>REPEATABLE READ READ ONLY</c> with pg_dump's session
/// settings, so catalog and data are read at one point in time and values print the way they restore.
/// </summary>
internal sealed class BackupSession : IAsyncDisposable
{
    private BackupSession(NpgsqlConnection connection, DateTimeOffset snapshotTime, string serverVersion, int serverVersionNumber, string database, string encoding)
    {
        Connection = connection;
        SnapshotTime = snapshotTime;
        ServerVersion = serverVersion;
        ServerVersionNumber = serverVersionNumber;
        Database = database;
        Encoding = encoding;
    }

    public NpgsqlConnection Connection { get; }

    public DateTimeOffset SnapshotTime { get; }

    public string ServerVersion { get; }

    public int ServerVersionNumber { get; }

    public string Database { get; }

    public string Encoding { get; }

    public static async Task<BackupSession> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await ConnectionErrors.OpenAsync(dataSource, cancellationToken);
        try
        {
            // pg_dump's setup_connection: predictable output formats, no row security filtering (a table we
            // cannot read fully is an error, not a silently smaller backup), no timeouts on long COPYs.
            // standard_conforming_strings is forced on (pg_dump records whatever the database has instead): the
            // server then deparses defaults, checks and view bodies with single backslashes, which is what our
            // own literals (SqlQuoting.Literal) assume and what both artifacts declare (CatalogReader checks it).
            const string setup = """
                BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
                SELECT pg_catalog.set_config('search_path', '', false);
                SET client_encoding = 'UTF8';
                SET standard_conforming_strings = on;
                SET DateStyle = ISO;
                SET IntervalStyle = postgres;
                SET extra_float_digits = 3;
                SET statement_timeout = 0;
                SET idle_in_transaction_session_timeout = 0;
                SET row_security = off;
                SET quote_all_identifiers = off;
                """;
            await using (var cmd = new NpgsqlCommand(setup, connection))
            {
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var info = new NpgsqlCommand(
                """
                SELECT pg_catalog.now(), pg_catalog.current_setting('server_version'), pg_catalog.current_setting('server_version_num')::int,
                       pg_catalog.current_database(), pg_catalog.pg_encoding_to_char(d.encoding)
                FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
                """,
                connection);
            await using var r = await info.ExecuteReaderAsync(cancellationToken);
            await r.ReadAsync(cancellationToken);
            var session = new BackupSession(
                connection,
                r.GetFieldValue<DateTimeOffset>(0),
                r.GetString(1),
                r.GetInt32(2),
                r.GetString(3),
                r.GetString(4));
            if (session.Encoding != "UTF8")
            {
                throw new BackupException($"database \"{session.Database}\": encoding {session.Encoding} is not supported; only UTF8 databases can be backed up");
            }

            return session;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Read-only transaction: closing the connection ends it.
        await Connection.DisposeAsync();
    }
}
