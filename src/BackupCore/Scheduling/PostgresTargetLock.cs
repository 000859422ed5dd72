using Npgsql;

namespace BackupCore.Scheduling;

/// <summary>
/// A session-level advisory lock on the target's own database,
/// <c>pg_try_advisory_lock(hashtext('infinite-backup:' || target))</c>, held on its own connection for the
/// whole dump. It needs no storage of its own, covers any process that backs up the database (Functions
/// instances, the CLI), and vanishes with the connection when a worker crashes, so a dead run never blocks
/// the next one (a blob lease would have to be renewed, and outlives a crash by its lease time).
/// </summary>
public sealed class PostgresTargetLock : ITargetLock
{
    public const string KeyPrefix = "infinite-backup:";

    private readonly TimeSpan _pollInterval;

    public PostgresTargetLock(TimeSpan? pollInterval = null)
    {
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(1);
    }

    public async Task<IAsyncDisposable> AcquireAsync(string target, NpgsqlDataSource dataSource, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentNullException.ThrowIfNull(dataSource);
        var deadline = DateTimeOffset.UtcNow + wait;
        // Same messages as the backup's own connection: host, database and role, never the password.
        var connection = await BackupCore.Backup.ConnectionErrors.OpenAsync(dataSource, cancellationToken);
        try
        {
            while (true)
            {
                await using (var cmd = new NpgsqlCommand("SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext($1))", connection))
                {
                    cmd.Parameters.AddWithValue(KeyPrefix + target);
                    if ((bool)(await cmd.ExecuteScalarAsync(cancellationToken))!)
                    {
                        return new Held(connection, target);
                    }
                }

                var remaining = deadline - DateTimeOffset.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    throw new BackupException(
                        $"target {target}: another backup of this target is running (advisory lock '{KeyPrefix}{target}' is held)",
                        "runs of one target never overlap; retry when it has finished");
                }

                await Task.Delay(remaining < _pollInterval ? remaining : _pollInterval, cancellationToken);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection, string target) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // Unlock explicitly: a pooled connection may outlive this object.
                await using var cmd = new NpgsqlCommand("SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext($1))", connection);
                cmd.Parameters.AddWithValue(KeyPrefix + target);
                await cmd.ExecuteScalarAsync();
            }
            catch (NpgsqlException)
            {
                // The connection is gone, and the session lock with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
