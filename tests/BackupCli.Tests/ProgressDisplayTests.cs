
namespace BackupCli.Tests;

/// <summary>
/// Progress on a terminal: the CLI runs under script(1), which gives it a pseudo-terminal as stderr, as a user's shell
/// would. backup shows the table and its rows, verify each step, a .dump restore the items pg_restore reports; --quiet
/// shows none of it, and without a terminal (the other tests) nothing is drawn either.
/// </summary>
[Collection(CliServers.Name)]
public sealed class ProgressDisplayTests(PostgresServer server) : IAsyncLifetime, IDisposable
{
    private const string Database = "cli_progress";
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-progress-").FullName;

    public async Task InitializeAsync()
    {
        await server.CreateDatabaseAsync(Database);
        await server.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY, note text); INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 300000) g; ANALYZE;", Database);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The CLI on a pseudo-terminal; returns its exit code and everything the terminal showed.</summary>
    private async Task<(int Exit, string Screen)> OnTerminalAsync(params string[] args)
    {
        var command = "dotnet exec " + Quote(typeof(CliApp).Assembly.Location) + " " + string.Join(' ', args.Select(Quote));
        var result = await ProcessRunner.RunAsync(
            "script", ["-qec", command, "/dev/null"],
            environment: new Dictionary<string, string> { ["COLUMNS"] = "160", ["TERM"] = "xterm", ["Backup__Anonymization__Key"] = "progress-key-0123456789abcdef" });
        return (result.ExitCode, result.StdOut + result.StdErr);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [Fact]
    public async Task Backup_verify_and_a_dump_restore_show_their_progress_on_a_terminal_and_quiet_shows_none()
    {
        var output = Path.Combine(_dir, "out");
        var backup = await OnTerminalAsync("backup", "--connection", server.ConnectionString(Database), "--name", "p", "--dir", output);
        Assert.True(backup.Exit == 0, backup.Screen);
        Assert.Contains("p: public.items (1/1)", backup.Screen, StringComparison.Ordinal);
        Assert.Contains(" rows, ", backup.Screen, StringComparison.Ordinal);

        var verify = await OnTerminalAsync("verify", "--dir", output, "--name", "p", "--server", server.ConnectionString());
        Assert.True(verify.Exit == 0, verify.Screen);
        Assert.Contains("restoring p.gz into", verify.Screen, StringComparison.Ordinal);

        var restore = await OnTerminalAsync("restore", "--from", Path.Combine(output, "p.dump"), "--to", server.ConnectionString("cli_progress_copy"), "--clean");
        Assert.True(restore.Exit == 0, restore.Screen);
        Assert.Contains("processing data for table \"public.items\"", restore.Screen, StringComparison.Ordinal);

        var quiet = await OnTerminalAsync("backup", "--quiet", "--connection", server.ConnectionString(Database), "--name", "q", "--dir", output);
        Assert.True(quiet.Exit == 0, quiet.Screen);
        Assert.DoesNotContain("public.items (1/1)", quiet.Screen, StringComparison.Ordinal);
        Assert.Contains("backup of q:", quiet.Screen, StringComparison.Ordinal);
    }
}
