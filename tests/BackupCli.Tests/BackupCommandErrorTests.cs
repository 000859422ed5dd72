using System.Net;
using System.Net.Sockets;

namespace BackupCli.Tests;

/// <summary>
/// Bad input to <c>backup</c>: each failure exits non-zero with one line naming the cause, never shows the
/// password, and leaves no file in the output folder.
/// </summary>
[Collection(CliServers.Name)]
public sealed class BackupCommandErrorTests(PostgresServer server) : IAsyncLifetime
{
    private const string Role = "cli_pw_role";
    private const string Password = "s3cr3t-never-printed";
    private readonly string _out = Directory.CreateTempSubdirectory("ib-cli-backup-err-").FullName;

    public async Task InitializeAsync()
    {
        await server.CreateDatabaseAsync("cli_err_src");
        await server.ExecuteAsync(
            "CREATE SCHEMA shop; CREATE TABLE shop.items (id int PRIMARY KEY, name text); INSERT INTO shop.items VALUES (1, 'a');" +
            "CREATE TABLE shop.secret (id int); REVOKE ALL ON shop.secret FROM PUBLIC;",
            "cli_err_src");
        await server.ExecuteAsync($"DROP ROLE IF EXISTS {Role}; CREATE ROLE {Role} LOGIN PASSWORD '{Password}'");
        await server.ExecuteAsync($"GRANT USAGE ON SCHEMA shop TO {Role}; GRANT SELECT ON shop.items TO {Role}", "cli_err_src");

        await server.RequirePasswordForRoleAsync(Role);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_out, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun.Result> BackupAsync(string connection, params string[] extra) =>
        CliRun.RunAsync(["backup", "--connection", connection, "--name", "err", "--dir", _out, .. extra]);

    private void AssertFailedCleanly(CliRun.Result result, string expected)
    {
        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains(expected, result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.StdErr + result.StdOut, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_out));
    }

    private static int ClosedPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Fact]
    public async Task Unreachable_host_fails_naming_host_and_port()
    {
        var port = ClosedPort();
        var result = await BackupAsync($"Host=127.0.0.1;Port={port};Database=cli_err_src;Username=postgres;Timeout=5");
        AssertFailedCleanly(result, $"127.0.0.1:{port}/cli_err_src: cannot connect");
    }

    [Fact]
    public async Task Wrong_password_fails_naming_the_role_without_showing_the_password()
    {
        var cs = server.ConnectionString("cli_err_src", Role, Password + "-wrong");
        var result = await BackupAsync(cs);
        AssertFailedCleanly(result, $"authentication failed for role \"{Role}\"");
        Assert.DoesNotContain(Password + "-wrong", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_database_fails_naming_it()
    {
        var result = await BackupAsync(server.ConnectionString("cli_err_no_such_db"));
        AssertFailedCleanly(result, "database \"cli_err_no_such_db\" does not exist");
    }

    [Fact]
    public async Task Missing_schema_fails_naming_it()
    {
        var result = await BackupAsync(server.ConnectionString("cli_err_src"), "--schema", "no-such-schema");
        AssertFailedCleanly(result, "no-such-schema");
    }

    [Fact]
    public async Task A_table_the_role_cannot_read_fails_naming_the_table()
    {
        var result = await BackupAsync(server.ConnectionString("cli_err_src", Role, Password), "--schema", "shop");
        AssertFailedCleanly(result, "secret");
    }

    [Fact]
    public async Task A_good_backup_by_the_password_role_writes_all_three_artifacts_and_the_manifest()
    {
        await server.ExecuteAsync($"GRANT SELECT ON shop.secret TO {Role}", "cli_err_src");
        try
        {
            var result = await BackupAsync(server.ConnectionString("cli_err_src", Role, Password), "--schema", "shop");
            Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
            foreach (var name in new[] { "err.gz", "err.anon.gz", "err.dump", "err.manifest.json" })
            {
                Assert.True(File.Exists(Path.Combine(_out, name)), name + " missing\n" + result);
            }

            Assert.DoesNotContain(Password, result.StdErr + result.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            await server.ExecuteAsync($"REVOKE SELECT ON shop.secret FROM {Role}", "cli_err_src");
        }
    }
}
