
namespace BackupCli.Tests;

/// <summary>
/// <c>backup</c> against a server it cannot back up: one line naming the server version and the supported range, exit 2
/// (a configuration error), no file written; and a catalog read that fails in a way nothing foresaw: one error line
/// naming what was read and the server version, its hint, exit 1, no stack trace.
/// </summary>
[Collection(CliServers.Name)]
public sealed class ServerVersionCommandTests(PostgresServer server, Postgres12Server pg12) : IClassFixture<Postgres12Server>, IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("ib-cli-version-").FullName;

    // With the anonymization key set, so stderr holds nothing but what the failure writes.
    private static readonly Dictionary<string, string?> Environment = new() { ["Backup__Anonymization__Key"] = "cli-version-tests-key-0123456789" };

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public async Task Backup_of_a_PostgreSQL_12_server_exits_2_with_one_line_naming_the_version_and_the_supported_range()
    {
        await pg12.CreateDatabaseAsync("cli_v12");
        await pg12.ExecuteAsync("CREATE TABLE public.t (id integer)", "cli_v12");
        var version = await pg12.ScalarAsync<string>("SHOW server_version");

        var result = await CliRun.RunWithEnvironmentAsync(Environment, ["backup", "--connection", pg12.ConnectionString("cli_v12"), "--name", "v12", "--dir", _out]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal($"error: database \"cli_v12\": PostgreSQL {version} is not supported; supported servers are PostgreSQL 13 to 18\n", result.StdErr.ReplaceLineEndings("\n"));
        Assert.Empty(Directory.GetFileSystemEntries(_out));
    }

    [Fact]
    public async Task A_catalog_read_failing_unforeseen_exits_1_with_one_error_line_and_no_stack_trace()
    {
        await server.CreateDatabaseAsync("cli_catalog_denied", owner: "cli_catalog_owner");
        await server.ExecuteAsync("REVOKE SELECT ON pg_catalog.pg_trigger FROM PUBLIC", "cli_catalog_denied");
        await server.ExecuteAsync("CREATE TABLE public.t (id integer)", "cli_catalog_denied", user: "cli_catalog_owner");

        var result = await CliRun.RunWithEnvironmentAsync(Environment, ["backup", "--connection", server.ConnectionString("cli_catalog_denied", "cli_catalog_owner"), "--name", "denied", "--dir", _out]);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        var lines = result.StdErr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        var error = Assert.Single(lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith("error: database \"cli_catalog_denied\": reading trigger objects from the catalog failed on PostgreSQL 15", error, StringComparison.Ordinal);
        Assert.EndsWith("permission denied for table pg_trigger (SQLSTATE 42501)", error, StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("hint: the backup role may not read this part of the system catalog", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_out));
    }
}
