using BackupCore.Backup;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Faults;

/// <summary>The shrink check (issue 10): a table that lost most of its rows against the previous manifest fails or warns.</summary>
[Collection(PostgresS3Collection.Name)]
public sealed class ShrinkCheckTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string Database = "faults_shrink";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ib-faults-shrink-");

    public async Task InitializeAsync()
    {
        await postgres.CreateDatabaseAsync(Database);
        await postgres.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 1000) i;", Database);
    }

    public Task DisposeAsync()
    {
        _folder.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private async Task<BackupResult> BackupAsync(ShrinkCheckOptions check, CapturedLog? log = null)
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString(Database));
        var runner = new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions()), log?.For<BackupRunner>());
        return await runner.RunAsync(
            new BackupJob
            {
                TargetName = "shrink",
                DataSource = dataSource,
                Stores = [new LocalFolderStore(new LocalFolderOptions { Path = _folder.FullName })],
                ShrinkCheck = check,
            },
            CancellationToken.None);
    }

    [Fact]
    public void Compare_reports_tables_that_dropped_past_the_fraction_or_vanished_and_ignores_small_drops()
    {
        var previous = ArtifactManifest([new ManifestTable("public", "a", 1000, 50000), new ManifestTable("public", "b", 100, 5000), new ManifestTable("public", "gone", 10, 100)]);
        var shrunk = ShrinkCheck.Compare(previous, [new ManifestTable("public", "a", 400, 20000), new ManifestTable("public", "b", 90, 4500)], 0.5);
        Assert.Equal(["a", "gone"], shrunk.Select(s => s.Table).Order(StringComparer.Ordinal));
        Assert.True(shrunk.Single(s => s.Table == "gone").Missing);
        Assert.Empty(ShrinkCheck.Compare(null, [], 0.5));
    }

    [Fact]
    public async Task A_table_that_lost_most_rows_fails_the_run_with_FailOnShrink_and_only_warns_without_it()
    {
        var strict = new ShrinkCheckOptions { ShrinkWarningFraction = 0.5, FailOnShrink = true };
        var good = await BackupAsync(strict);
        await postgres.ExecuteAsync("DELETE FROM t WHERE id > 100", Database);
        await Task.Delay(1100); // the folder store stamps backups to the second

        var ex = await Assert.ThrowsAsync<ShrinkException>(() => BackupAsync(strict));
        Assert.Contains("\"public\".\"t\" 1000 → 100 rows", ex.Message, StringComparison.Ordinal);
        Assert.Contains(good.Manifest.RunId, ex.Message, StringComparison.Ordinal);
        var store = new LocalFolderStore(new LocalFolderOptions { Path = _folder.FullName });
        Assert.Single(await store.ListVersionsAsync("shrink", CancellationToken.None));
        Assert.Equal(good.Manifest.RunId, (await store.GetManifestAsync("shrink", null, CancellationToken.None)).RunId);

        var log = new CapturedLog();
        await Task.Delay(1100);
        var warned = await BackupAsync(strict with { FailOnShrink = false }, log);
        Assert.Contains("shrank by more than", log.Text, StringComparison.Ordinal);
        Assert.Contains("Warning", log.Text, StringComparison.Ordinal);
        Assert.Equal(warned.Manifest.RunId, (await store.GetManifestAsync("shrink", null, CancellationToken.None)).RunId);
    }

    [Fact]
    public void A_fraction_outside_zero_to_one_is_rejected_naming_the_setting()
    {
        var ex = Assert.Throws<BackupException>(() => new ShrinkCheckOptions { ShrinkWarningFraction = 1.5 }.Validate());
        Assert.Contains("ShrinkWarningFraction", ex.Message, StringComparison.Ordinal);
    }

    private static BackupManifest ArtifactManifest(IReadOnlyList<ManifestTable> tables) => new()
    {
        RunId = "previous",
        Target = "shrink",
        StartedAt = DateTimeOffset.UnixEpoch,
        SnapshotTime = DateTimeOffset.UnixEpoch,
        Database = "db",
        Schemas = ["public"],
        ServerVersion = "15",
        ToolVersion = "test",
        Tables = tables,
    };
}
