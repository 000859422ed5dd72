using BackupCore.Restore;
using Npgsql;

namespace BackupCore.Verification;

/// <summary>
/// A verify's claim on its scratch database (<c>ib_verify_…</c>): a session-level advisory lock named after it, held
/// on the server's maintenance database for as long as the verify runs. A scratch database whose lock nobody holds
/// was left by a verify that was killed (kill -9, a host that went away) and is dropped by the next verify on that
/// server. Advisory locks belong to a database, so every verify takes them in the same one (postgres, else template1).
/// </summary>
internal sealed class ScratchDatabaseClaim : IAsyncDisposable
{
    public const string Prefix = "ib_verify_";

    // First half of the two-key advisory lock: this tool's scratch databases ("ibvf").
    private const int LockClass = 0x69627666;

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnection _connection;

    private ScratchDatabaseClaim(NpgsqlDataSource dataSource, NpgsqlConnection connection)
    {
        _dataSource = dataSource;
        _connection = connection;
    }

    /// <summary>Claims <paramref name="connectionString"/>'s database name before it is created, then drops the abandoned ones.</summary>
    public static async Task<ScratchDatabaseClaim> TakeAsync(string connectionString, Action<string>? progress, CancellationToken cancellationToken)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var dataSource = await TargetDatabase.OpenMaintenanceAsync(connectionString, cancellationToken);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using (var claim = new NpgsqlCommand("SELECT pg_catalog.pg_advisory_lock($1, pg_catalog.hashtext($2))", connection))
            {
                claim.Parameters.Add(new NpgsqlParameter { Value = LockClass });
                claim.Parameters.Add(new NpgsqlParameter { Value = name });
                await claim.ExecuteNonQueryAsync(cancellationToken);
            }

            var result = new ScratchDatabaseClaim(dataSource, connection);
            await result.DropAbandonedAsync(connectionString, name, progress, cancellationToken);
            return result;
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            await dataSource.DisposeAsync();
            throw;
        }
    }

    private async Task DropAbandonedAsync(string connectionString, string own, Action<string>? progress, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT datname FROM pg_catalog.pg_database WHERE starts_with(datname, $1) AND datname <> $2", _connection))
        {
            list.Parameters.Add(new NpgsqlParameter { Value = Prefix });
            list.Parameters.Add(new NpgsqlParameter { Value = own });
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names)
        {
            // Free lock: no running verify owns it. Held while it is dropped, so no verify can start on that name meanwhile.
            await using var probe = new NpgsqlCommand("SELECT pg_catalog.pg_try_advisory_lock($1, pg_catalog.hashtext($2))", _connection);
            probe.Parameters.Add(new NpgsqlParameter { Value = LockClass });
            probe.Parameters.Add(new NpgsqlParameter { Value = name });
            if (await probe.ExecuteScalarAsync(cancellationToken) is not true)
            {
                continue;
            }

            try
            {
                progress?.Invoke($"dropping the scratch database \"{name}\" a killed verify left behind");
                var csb = new NpgsqlConnectionStringBuilder(connectionString) { Database = name };
                await TargetDatabase.DropAsync(csb.ConnectionString, cancellationToken);
            }
            finally
            {
                await using var release = new NpgsqlCommand("SELECT pg_catalog.pg_advisory_unlock($1, pg_catalog.hashtext($2))", _connection);
                release.Parameters.Add(new NpgsqlParameter { Value = LockClass });
                release.Parameters.Add(new NpgsqlParameter { Value = name });
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Closing the session releases the lock.
        await _connection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
