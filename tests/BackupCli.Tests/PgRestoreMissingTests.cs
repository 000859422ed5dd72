namespace BackupCli.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>Changes PATH for the whole process, so it runs alone.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class PgRestoreMissingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-nopg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_dump_without_pg_restore_on_path_exits_4_before_touching_the_database()
    {
        var dump = Path.Combine(_dir, "x.dump");
        await File.WriteAllBytesAsync(dump, "PGDMP\u0001\u000e"u8.ToArray());
        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", _dir);
        CliRun.Result r;
        try
        {
            // Port 1 has no server: reaching the database would fail with exit 1 instead.
            r = await CliRun.RunAsync("restore", "--from", dump, "--to", "Host=127.0.0.1;Port=1;Database=x;Username=u", "--clean");
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }

        Assert.Equal(ExitCodes.ToolMissing, r.ExitCode);
        Assert.Contains("pg_restore was not found on PATH", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("hint: install the PostgreSQL client", r.StdErr, StringComparison.Ordinal);
    }
}
