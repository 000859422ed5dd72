using Npgsql;

namespace BackupCore.Restore;

/// <summary>
/// Watches the sessions of one restore (found by their <c>application_name</c>) from a connection of its own, and
/// reports once per blocker when one of them has waited for a lock for a few seconds: the relation, and the blocking
/// session's pid, role, application and state (never its query text, which may hold row data) — so a restore that
/// waits on another session does not look hung. It never fails the restore: when it cannot look, it stays quiet.
/// </summary>
internal sealed class LockWaitWatcher : IAsyncDisposable
{
    // pg_blocking_pids (9.6+) names the sessions holding or queued ahead for the lock.
    private const string Query = """
        SELECT w.pid, coalesce(l.relation::regclass::text, l.locktype), b.pid, b.usename, b.application_name, b.state,
               extract(epoch FROM now() - coalesce(b.xact_start, b.backend_start))::bigint
        FROM pg_catalog.pg_stat_activity w
        JOIN pg_catalog.pg_locks l ON l.pid = w.pid AND NOT l.granted
        JOIN pg_catalog.pg_stat_activity b ON b.pid = ANY (pg_catalog.pg_blocking_pids(w.pid))
        WHERE w.application_name = $1 AND w.wait_event_type = 'Lock' AND now() - w.state_change > make_interval(secs => $2)
        """;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private LockWaitWatcher(string connectionString, string applicationName, TimeSpan after, Action<string> report)
    {
        _loop = Task.Run(() => WatchAsync(connectionString, applicationName, after, report, _stop.Token));
    }

    /// <summary>Starts watching; <paramref name="report"/> gets one line per blocking session.</summary>
    public static LockWaitWatcher Start(string connectionString, string applicationName, TimeSpan after, Action<string> report) =>
        new(connectionString, applicationName, after, report);

    private static async Task WatchAsync(string connectionString, string applicationName, TimeSpan after, Action<string> report, CancellationToken cancellationToken)
    {
        var reported = new HashSet<(int, int)>();
        var csb = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName + " (lock watch)", Pooling = false, Timeout = 5 };
        try
        {
            await Task.Delay(after, cancellationToken).ConfigureAwait(false);
            await using var connection = new NpgsqlConnection(csb.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                await using (var command = new NpgsqlCommand(Query, connection))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
                    command.Parameters.Add(new NpgsqlParameter { Value = after.TotalSeconds });
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var blocker = reader.GetInt32(2);
                        if (reported.Add((reader.GetInt32(0), blocker)))
                        {
                            var state = reader.IsDBNull(5) ? "?" : reader.GetString(5);
                            report($"waiting for a lock on {reader.GetString(1)}, held by session pid {blocker} (role {Text(reader, 3)}, application \"{Text(reader, 4)}\", {state} for {reader.GetInt64(6)} s); "
                                + $"the restore goes on when it ends (SELECT pg_terminate_backend({blocker}) ends it)");
                        }
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or NpgsqlException or InvalidOperationException)
        {
            // Watching is a courtesy: the restore's own outcome is what counts.
        }
    }

    private static string Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? "?" : reader.GetString(ordinal);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
