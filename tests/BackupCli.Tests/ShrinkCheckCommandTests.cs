
namespace BackupCli.Tests;

/// <summary>
/// <c>backup</c> compares each run with the previous backup of the target: a table or artifact that shrank past
/// <c>--shrink-warning-fraction</c> is a warning, or with <c>--fail-on-shrink</c> a failure that publishes nothing.
/// </summary>
[Collection(CliServers.Name)]
public sealed class ShrinkCheckCommandTests(PostgresServer server) : IAsyncLifetime
{
    private const string Database = "cli_shrink_src";
    private readonly string _out = Directory.CreateTempSubdirectory("ib-cli-shrink-").FullName;

    public async Task InitializeAsync()
    {
        await server.CreateDatabaseAsync(Database);
        await server.ExecuteAsync(
            "CREATE TABLE public.orders (id int PRIMARY KEY, note text); INSERT INTO public.orders SELECT g, md5(g::text) FROM generate_series(1, 5000) g;",
            Database);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_out, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_table_that_lost_most_rows_fails_with_fail_on_shrink_naming_table_and_artifacts_and_publishes_nothing()
    {
        var first = await BackupAsync();
        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        var latest = await File.ReadAllBytesAsync(Path.Combine(_out, "shrink.manifest.json"));
        await server.ExecuteAsync("DELETE FROM public.orders WHERE id > 100", Database);
        await Task.Delay(1100); // backups are stamped to the second

        var failed = await BackupAsync("--fail-on-shrink");

        Assert.Equal(ExitCodes.Failed, failed.ExitCode);
        Assert.Contains("\"public\".\"orders\" 5000 → 100 rows", failed.StdErr, StringComparison.Ordinal);
        Assert.Contains("shrink.dump", failed.StdErr, StringComparison.Ordinal);
        Assert.Equal(latest, await File.ReadAllBytesAsync(Path.Combine(_out, "shrink.manifest.json")));
        Assert.Single(Directory.GetFiles(_out, "shrink.*.manifest.json"));

        var warned = await BackupAsync();
        Assert.True(warned.ExitCode == ExitCodes.Success, warned.ToString());
        Assert.Contains("warning:", warned.StdErr, StringComparison.Ordinal);
        Assert.Contains("shrank by more than 50%", warned.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(_out, "shrink.*.manifest.json").Length);
    }

    private Task<CliRun.Result> BackupAsync(params string[] extra) =>
        CliRun.RunAsync(["backup", "--connection", server.ConnectionString(Database), "--name", "shrink", "--dir", _out, .. extra]);
}
