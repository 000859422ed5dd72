using BackupCore.Catalog;
using Npgsql;

namespace BackupCore.Backup;

/// <summary>
/// The dump's one snapshot: a connection inside <c>REPEATABLE READ READ ONLY</c> with pg_dump's session
/// settings, so catalog and data are read at one point in time and values print the way they restore.
/// The only place that reads the server's facts (<see cref="ServerInfo"/>); a server outside
/// <see cref="SupportedServerVersions"/> is refused before anything is read from it.
/// </summary>
internal sealed class BackupSession : IAsyncDisposable
{
    // pg_dump's setup_connection: predictable output formats, no row security filtering (a table we
    // cannot read fully is an error, not a silently smaller backup), no timeouts on long COPYs. bytea in
    // hex whatever the database's bytea_output: the anonymizer's bytea policy (docs/anonymization.md)
    // must not depend on it, and byteain reads hex under either setting. standard_conforming_strings is forced
    // on (pg_dump records whatever the database has instead): the server then deparses defaults, checks and view
    // bodies with single backslashes, which is what our own literals (SqlQuoting.Literal) assume and what both
    // artifacts declare (CatalogReader checks it).
    private const string Setup = """
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
        SET bytea_output = hex;
        """;

    // PostgreSQL 17 added transaction_timeout (a database or role default would end the dump mid-COPY); older
    // servers reject the name, so it is set only on 17+ (pg_dump.c setup_connection does the same). Before BEGIN,
    // so the transaction never starts with the timer running.
    private const string NoTransactionTimeout = "SET transaction_timeout = 0;\n";

    private BackupSession(NpgsqlConnection connection, ServerInfo server)
    {
        Connection = connection;
        Server = server;
    }

    public NpgsqlConnection Connection { get; }

    public ServerInfo Server { get; }

    public DateTimeOffset SnapshotTime => Server.SnapshotTime;

    public string ServerVersion => Server.VersionText;

    public string Database => Server.Database;

    public static async Task<BackupSession> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await ConnectionErrors.OpenAsync(dataSource, cancellationToken);
        try
        {
            var version = PgVersion.Of(connection);
            SupportedServerVersions.EnsureSupported(version, connection.ServerVersion, connection.Database);
            ServerInfo server;
            try
            {
                await using (var cmd = new NpgsqlCommand((version >= PgVersion.V17 ? NoTransactionTimeout : "") + Setup, connection))
                {
                    await cmd.ExecuteNonQueryAsync(cancellationToken);
                }

                server = await ServerInfo.ReadAsync(connection, cancellationToken);
            }
            catch (Exception ex) when (ex is PostgresException or NpgsqlException or InvalidCastException)
            {
                throw new BackupException($"database \"{connection.Database}\": opening the snapshot failed on PostgreSQL {connection.ServerVersion}: {ex.Message}", null, ex);
            }

            if (server.Encoding != "UTF8")
            {
                throw new BackupException($"database \"{server.Database}\": encoding {server.Encoding} is not supported; only UTF8 databases can be backed up");
            }

            return new BackupSession(connection, server);
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
