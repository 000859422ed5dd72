using Npgsql;

namespace BackupCli.Tests;

/// <summary>
/// Restoring over an existing database: a failure shows the server's DETAIL and HINT and leaves the database as it
/// was (one transaction by default), and a wait for another session's lock is reported with that session's pid.
/// </summary>
[Collection(CliServers.Name)]
public sealed class RestoreSafetyTests(PostgresServer server) : IAsyncLifetime, IDisposable
{
    private const string Source = "cli_safe_src";
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-safe-").FullName;

    public async Task InitializeAsync()
    {
        await server.CreateDatabaseAsync(Source);
        await server.ExecuteAsync(
            "CREATE SCHEMA s; CREATE TABLE s.a (id int PRIMARY KEY); CREATE TABLE s.b (id int PRIMARY KEY, a int REFERENCES s.a);" +
            "INSERT INTO s.a SELECT generate_series(1, 50); INSERT INTO s.b SELECT g, g FROM generate_series(1, 50) g;",
            Source);
        var backup = await CliRun.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["Backup__Anonymization__Key"] = "safe-key-0123456789abcdef0123" },
            ["backup", "--connection", server.ConnectionString(Source), "--schema", "s", "--name", "safe", "--dir", _dir]);
        Assert.True(backup.ExitCode == 0, backup.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A copy of the source, plus what the backup does not have: a row, and a view that depends on s.a.</summary>
    private async Task<string> ExistingDatabaseWithAViewOutsideTheBackupAsync(string name)
    {
        var created = await CliRun.RunAsync("restore", "--from", Path.Combine(_dir, "safe.gz"), "--to", server.ConnectionString(name), "--clean");
        Assert.True(created.ExitCode == 0, created.ToString());
        await server.ExecuteAsync("INSERT INTO s.b VALUES (1000, 1); CREATE VIEW public.v_outside AS SELECT id FROM s.a;", name);
        return server.ConnectionString(name);
    }

    private async Task AssertUnchangedAsync(string database)
    {
        Assert.Equal(51L, await server.ScalarAsync<long>("SELECT count(*) FROM s.b", database));
        Assert.Equal(50L, await server.ScalarAsync<long>("SELECT count(*) FROM public.v_outside", database));
    }

    [Theory]
    [InlineData("safe.gz")]
    [InlineData("safe.dump")]
    public async Task A_view_outside_the_backup_stops_the_restore_with_the_servers_detail_and_the_database_stays_as_it_was(string file)
    {
        var database = "cli_safe_view_" + (file.EndsWith(".dump", StringComparison.Ordinal) ? "dump" : "gz");
        var target = await ExistingDatabaseWithAViewOutsideTheBackupAsync(database);

        var result = await CliRun.RunAsync("restore", "--from", Path.Combine(_dir, file), "--to", target, "--manifest", Path.Combine(_dir, "safe.manifest.json"));

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.True(result.StdErr.Contains("DETAIL: view public.v_outside depends on table s.a", StringComparison.Ordinal), result.ToString());
        Assert.Contains("the database was left as it was", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("hint: ", result.StdErr, StringComparison.Ordinal);
        await AssertUnchangedAsync(database);
    }

    [Fact]
    public async Task A_restore_waiting_for_another_sessions_lock_says_so_with_its_pid_and_finishes_once_it_is_released()
    {
        const string database = "cli_safe_lock";
        var created = await CliRun.RunAsync("restore", "--from", Path.Combine(_dir, "safe.gz"), "--to", server.ConnectionString(database), "--clean");
        Assert.True(created.ExitCode == 0, created.ToString());

        await using var holder = new NpgsqlConnection(server.ConnectionString(database));
        await holder.OpenAsync();
        var holderPid = holder.ProcessID;
        var transaction = await holder.BeginTransactionAsync();
        await using (var lockIt = new NpgsqlCommand("LOCK TABLE s.a IN ACCESS SHARE MODE", holder, transaction))
        {
            await lockIt.ExecuteNonQueryAsync();
        }

        using var cli = CliProcess.Start(null, "restore", "--from", Path.Combine(_dir, "safe.gz"), "--to", server.ConnectionString(database));
        await cli.WaitUntilAsync(() => cli.StdErr.Contains($"held by session pid {holderPid}", StringComparison.Ordinal), "the lock wait note");
        Assert.Contains("note: waiting for a lock on s.a", cli.StdErr, StringComparison.Ordinal);
        await transaction.RollbackAsync();

        Assert.True(await cli.WaitForExitAsync() == 0, cli.ToString());
        Assert.Contains("in one transaction", cli.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_piped_into_restore_is_restored()
    {
        // bash's process substitution hands the CLI /dev/fd/63, a pipe: it cannot be opened twice or seeked.
        var command = $"dotnet exec '{typeof(CliApp).Assembly.Location}' restore --from <(cat '{Path.Combine(_dir, "safe.gz")}') --to '{server.ConnectionString("cli_safe_pipe")}' --clean";
        var result = await ProcessRunner.RunAsync("bash", ["-c", command]);

        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        Assert.Contains("restored input into database \"cli_safe_pipe\"", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(50L, await server.ScalarAsync<long>("SELECT count(*) FROM s.b", "cli_safe_pipe"));
    }
}
