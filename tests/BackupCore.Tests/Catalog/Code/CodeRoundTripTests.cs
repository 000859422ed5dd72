using System.IO.Compression;
using BackupCli;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Catalog.Code;

/// <summary>
/// The code fixture backed up with the CLI, its NAME.gz restored with psql ON_ERROR_STOP=1 into an empty database owned
/// by a non-superuser (connected as that role), twice: each time pg_dump --schema-only of the copy equals the source's,
/// and materialized views are populated (or not) as in the source.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CodeRoundTripTests : IDisposable
{
    private const string Source = "code_rt_src";
    private const string Target = "code_rt_dst";
    private const string ArchiveTarget = "code_rt_archive";
    private const string Restorer = "code_restorer";
    private readonly PostgresServer _server;
    private readonly string _outDir = Path.Combine(Path.GetTempPath(), "ib-code-rt-" + Guid.NewGuid().ToString("N")[..8]);

    public CodeRoundTripTests(PostgresServer server)
    {
        _server = server;
    }

    public void Dispose()
    {
        if (Directory.Exists(_outDir))
        {
            Directory.Delete(_outDir, recursive: true);
        }
    }

    [Fact]
    public async Task Code_objects_restore_twice_as_a_non_superuser_with_an_identical_schema()
    {
        await CodeFixtureDatabase.CreateAsync(_server, Source);
        await _server.CreateDatabaseAsync(Target, Restorer);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["backup", "--connection", _server.ConnectionString(Source), "--name", "code", "--dir", _outDir], stdout, stderr);
        Assert.True(exit == 0, $"backup failed ({exit}): {stderr}");
        var gz = Path.Combine(_outDir, "code.gz");
        Assert.True(File.Exists(gz), "no code.gz in " + _outDir);

        var expected = await _server.SchemaDumpAsync(Source);
        for (var pass = 1; pass <= 2; pass++)
        {
            await using (var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress))
            {
                var restore = await _server.PsqlAsync(Target, input: input, user: Restorer);
                Assert.True(restore.ExitCode == 0, $"restore pass {pass} failed: {restore.StdErr}");
            }

            Assert.Equal(expected, await _server.SchemaDumpAsync(Target));
            Assert.Equal(
                await ScalarTextAsync(Source, "SELECT string_agg(relname || '=' || relispopulated, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'm'"),
                await ScalarTextAsync(Target, "SELECT string_agg(relname || '=' || relispopulated, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'm'"));
            Assert.Equal(
                await ScalarTextAsync(Source, "SELECT string_agg(id || ':' || balance, ',' ORDER BY id) FROM \"infinite-prod\".user_balances"),
                await ScalarTextAsync(Target, "SELECT string_agg(id || ':' || balance, ',' ORDER BY id) FROM \"infinite-prod\".user_balances"));
        }
    }

    [Fact]
    public async Task Code_objects_restore_from_the_custom_archive_with_pg_restore_as_a_non_superuser()
    {
        const string source = "code_rt_src_archive";
        await CodeFixtureDatabase.CreateAsync(_server, source);
        await _server.CreateDatabaseAsync(ArchiveTarget, Restorer);
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["backup", "--connection", _server.ConnectionString(source), "--name", "code", "--dir", _outDir], new StringWriter(), stderr);
        Assert.True(exit == 0, $"backup failed ({exit}): {stderr}");
        var archive = Path.Combine(_outDir, "code.dump");
        Assert.True(File.Exists(archive), "no code.dump in " + _outDir);

        var restore = await _server.ClientToolAsync("pg_restore", Restorer, "--no-owner", "--exit-on-error", "-d", ArchiveTarget, archive);
        Assert.True(restore.ExitCode == 0, "pg_restore failed: " + restore.StdErr);
        Assert.Equal(await _server.SchemaDumpAsync(source), await _server.SchemaDumpAsync(ArchiveTarget));
        Assert.Equal(
            await ScalarTextAsync(source, "SELECT string_agg(relname || '=' || relispopulated, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'm'"),
            await ScalarTextAsync(ArchiveTarget, "SELECT string_agg(relname || '=' || relispopulated, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'm'"));
    }

    private async Task<string?> ScalarTextAsync(string database, string sql) => await _server.ScalarAsync<string>(sql, database);
}
