
namespace BackupCli.Tests;

/// <summary>The connection forms psql users type, end to end against a real server.</summary>
[Collection(CliServers.Name)]
public sealed class ConnectionStringCommandTests(PostgresServer server) : IAsyncLifetime, IDisposable
{
    private const string Database = "cli_conninfo";
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-conninfo-").FullName;

    public async Task InitializeAsync()
    {
        await server.CreateDatabaseAsync(Database);
        await server.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);", Database);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> Environment(params (string, string)[] extra)
    {
        var env = new Dictionary<string, string?> { ["HOME"] = _dir, ["PGSYSCONFDIR"] = _dir, ["Backup__Anonymization__Key"] = "conninfo-key-0123456789abcdef" };
        foreach (var (k, v) in extra)
        {
            env[k] = v;
        }

        return env;
    }

    [Fact]
    public async Task Backup_takes_a_postgresql_uri()
    {
        var output = Path.Combine(_dir, "uri");
        var result = await CliRun.RunWithEnvironmentAsync(Environment(), "backup", "--connection", $"postgresql://postgres@127.0.0.1:{server.Port}/{Database}", "--name", "uri", "--dir", output);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("backup of uri:", result.StdOut, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "uri.dump")));
    }

    [Theory]
    [InlineData("--dir")]
    [InlineData("--out")]
    [InlineData("-o")]
    public async Task Backup_writes_the_folder_store_named_by_dir_or_by_its_old_hidden_spelling_out(string option)
    {
        var output = Path.Combine(_dir, "spelling" + option.TrimStart('-'));
        var result = await CliRun.RunWithEnvironmentAsync(Environment(), "backup", "--connection", server.ConnectionString(Database), "--name", "spelling", option, output);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(output, "spelling.manifest.json")), string.Join(", ", Directory.GetFiles(output)));

        var list = await CliRun.RunWithEnvironmentAsync(Environment(), "list", "--dir", output, "--name", "spelling");
        Assert.True(list.ExitCode == 0, list.ToString());
    }

    [Fact]
    public async Task Backup_takes_libpq_keywords_and_a_service_named_by_PGSERVICE()
    {
        var conninfo = await CliRun.RunWithEnvironmentAsync(
            Environment(), "backup", "--connection", $"host=127.0.0.1 port={server.Port} dbname={Database} user=postgres", "--name", "kv", "--dir", Path.Combine(_dir, "kv"));
        Assert.True(conninfo.ExitCode == 0, conninfo.ToString());

        await File.WriteAllTextAsync(Path.Combine(_dir, ".pg_service.conf"), $"[nightly]\nhost=127.0.0.1\nport={server.Port}\ndbname={Database}\nuser=postgres\n");
        var service = await CliRun.RunWithEnvironmentAsync(Environment(("PGSERVICE", "nightly")), "backup", "--name", "svc", "--dir", Path.Combine(_dir, "svc"));
        Assert.True(service.ExitCode == 0, service.ToString());
    }

    [Fact]
    public async Task A_role_that_does_not_exist_is_named_as_such_not_as_a_wrong_password()
    {
        var result = await CliRun.RunWithEnvironmentAsync(Environment(), "backup", "--connection", $"postgresql://nobody_here@127.0.0.1:{server.Port}/{Database}", "--name", "x", "--dir", Path.Combine(_dir, "x"));
        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("role \"nobody_here\" does not exist", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("password", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_pg_variable_is_a_usage_error_naming_it()
    {
        var result = await CliRun.RunWithEnvironmentAsync(Environment(("PGPORT", "54x")), "backup", "--name", "x", "--dir", Path.Combine(_dir, "x"));
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: PGPORT=\"54x\" is not valid", result.StdErr, StringComparison.Ordinal);
    }
}
