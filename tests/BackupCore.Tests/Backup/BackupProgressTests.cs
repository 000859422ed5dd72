using BackupCore.Backup;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Backup;

/// <summary>The runner's progress reports: every stage in order, each table, counts that add up, a share done that only grows to 1.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BackupProgressTests(PostgresServer server) : IAsyncLifetime
{
    private const string Database = "progress_src";
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-progress-").FullName;

    public async Task InitializeAsync()
    {
        await server.CreateDatabaseAsync(Database);
        await server.ExecuteAsync(
            "CREATE TABLE big (id int PRIMARY KEY, note text); INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 200000) g;" +
            "CREATE TABLE small (id int); INSERT INTO small SELECT generate_series(1, 100); ANALYZE;",
            Database);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_backup_reports_the_catalog_each_table_and_the_commit_with_a_share_done_that_grows_to_one()
    {
        var reports = new List<BackupProgress>();
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString(Database));
        var result = await new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions())).RunAsync(
            new BackupJob { TargetName = "progress", DataSource = dataSource, Stores = [new LocalFolderStore(Path.Combine(_dir, "out"))], Progress = new ListProgress(reports) },
            CancellationToken.None);

        Assert.Equal(BackupStage.Catalog, reports[0].Stage);
        Assert.Equal(BackupStage.Committing, reports[^1].Stage);
        var copying = reports.Where(r => r.Stage == BackupStage.Copying).ToList();
        Assert.Contains(copying, r => r.Table == "public.big" && r.Rows > 0 && r.Rows < 200000);
        Assert.Contains(copying, r => r.Table == "public.small");
        Assert.All(copying, r => Assert.Equal(2, r.Tables));
        var fractions = copying.Select(r => r.Fraction!.Value).ToList();
        Assert.Equal(fractions.Order(), fractions);
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Equal(result.Manifest.Tables.Sum(t => t.Rows), reports[^1].Rows);
        Assert.Equal(result.Manifest.Tables.Sum(t => t.Bytes), reports[^1].Bytes);
    }

    private sealed class ListProgress(List<BackupProgress> into) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => into.Add(value);
    }
}
