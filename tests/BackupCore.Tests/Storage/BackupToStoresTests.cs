using Amazon.S3.Model;
using BackupCore.Backup;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Storage;

/// <summary>The backup runner writing into the folder store and the S3 store at once, against real servers.</summary>
[Collection(PostgresS3Collection.Name)]
public sealed class BackupToStoresTests(PostgresServer postgres, S3Server s3) : IAsyncLifetime
{
    private const string Database = "storage_e2e";
    private const string BigDatabase = "storage_e2e_big";
    private readonly string _bucket = "ib-storage-e2e-" + Guid.NewGuid().ToString("N")[..8];
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ib-storage-e2e-");

    public async Task InitializeAsync()
    {
        await s3.CreateVersionedBucketAsync(_bucket);
        await postgres.CreateDatabaseAsync(Database);
        // a_big: about 14 MB of COPY text (7 MB gzip, so the S3 upload is multipart); b_small: a few rows.
        await postgres.ExecuteAsync(
            """
            CREATE TABLE a_big (id int PRIMARY KEY, x text, y text);
            INSERT INTO a_big SELECT i, md5(i::text), md5((i * 7)::text) FROM generate_series(1, 200000) i;
            CREATE TABLE b_small (id int PRIMARY KEY, email text);
            INSERT INTO b_small VALUES (1, 'a@example.com'), (2, 'b@example.com');
            """,
            Database);
    }

    private async Task CreateBigDatabaseAsync()
    {
        // About 60 MB of COPY text: its COPY runs for seconds, long enough to be killed in the middle.
        await postgres.CreateDatabaseAsync(BigDatabase);
        await using var connection = new NpgsqlConnection(postgres.ConnectionString(BigDatabase));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "CREATE TABLE a_big (id int, x text, y text); INSERT INTO a_big SELECT i, md5(i::text), md5((i * 7)::text) FROM generate_series(1, 800000) i;",
            connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync()
    {
        _folder.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private async Task<BackupResult> BackupAsync(S3Store store, string database = Database, CancellationToken cancellationToken = default)
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString(database));
        var runner = new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions()));
        return await runner.RunAsync(
            new BackupJob
            {
                TargetName = "e2e",
                DataSource = dataSource,
                Stores = [new LocalFolderStore(new LocalFolderOptions { Path = _folder.FullName }), store],
            },
            cancellationToken);
    }

    private async Task<Dictionary<string, int>> VersionCountsAsync()
    {
        using var client = s3.CreateClient();
        var response = await client.ListVersionsAsync(new ListVersionsRequest { BucketName = _bucket, Prefix = "db/e2e." });
        return (response.Versions ?? []).GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.Count());
    }

    [Fact]
    public async Task Backup_lands_in_s3_byte_identical_to_the_folder_and_a_second_run_adds_one_version_per_key()
    {
        using var store = new S3Store(s3.Options(_bucket));
        var result = await BackupAsync(store);

        var s3Manifest = await store.GetManifestAsync("e2e", null, CancellationToken.None);
        Assert.Equal(result.Manifest.RunId, s3Manifest.RunId);
        foreach (var artifact in s3Manifest.Artifacts)
        {
            var fromS3 = await ArtifactData.ReadAllAsync(await store.OpenReadAsync(artifact.Key, artifact.VersionId, CancellationToken.None));
            var fromFolder = await File.ReadAllBytesAsync(Path.Combine(_folder.FullName, artifact.Kind.FileName("e2e")));
            if (artifact.Kind == ArtifactKind.Plain)
            {
                Assert.True(fromS3.Length > 5 * 1024 * 1024, "the plain dump should need a multipart upload");
            }

            Assert.Equal(fromFolder, fromS3);
            ArtifactData.AssertMatches(artifact, fromS3);
        }

        await BackupAsync(store);
        var counts = await VersionCountsAsync();
        Assert.Equal(["db/e2e.anon.gz", "db/e2e.dump", "db/e2e.gz", "db/e2e.manifest.json"], counts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, s3Manifest.Artifacts.Count);
        Assert.All(counts.Values, c => Assert.Equal(2, c));
    }

    [Fact]
    public async Task Database_connection_killed_during_COPY_publishes_nothing_and_leaves_no_upload_open()
    {
        using var store = new S3Store(s3.Options(_bucket));
        var good = await BackupAsync(store);
        await CreateBigDatabaseAsync();
        var before = await VersionCountsAsync();

        // Kill the run's connection once its COPY has streamed for 1.5 seconds: by then several MiB of gzip
        // have gone out as multipart parts, which the failed run must abort.
        var run = BackupAsync(store, BigDatabase);
        var killed = false;
        for (var i = 0; i < 1200 && !run.IsCompleted && !killed; i++)
        {
            await Task.Delay(50);
            killed = await postgres.ScalarAsync<bool>(
                "SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity WHERE query ILIKE 'COPY%a_big%' AND state = 'active' AND query_start < now() - interval '1.5 seconds'",
                BigDatabase);
        }

        Assert.True(killed, $"the run's COPY was never seen running for 1.5 s (run completed: {run.IsCompleted})");
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => run);
        Assert.IsNotType<Xunit.Sdk.XunitException>(ex);

        Assert.Equal(before, await VersionCountsAsync());
        Assert.Equal(good.Manifest.RunId, (await store.GetManifestAsync("e2e", null, CancellationToken.None)).RunId);
        using var client = s3.CreateClient();
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket });
        Assert.Empty(uploads.MultipartUploads ?? []);
        Assert.DoesNotContain(_folder.GetFiles(), f => f.Name.Contains(".tmp-", StringComparison.Ordinal));
        Assert.Equal(good.Manifest.RunId, (await new LocalFolderStore(_folder.FullName).GetManifestAsync("e2e", null, CancellationToken.None)).RunId);
    }
}
