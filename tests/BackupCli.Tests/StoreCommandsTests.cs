using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BackupCore.Storage;

namespace BackupCli.Tests;

/// <summary>list, fetch and restore reading real stores: the S3 server (Ceph RGW) and a local folder.</summary>
[Collection(CliServers.Name)]
public sealed class StoreCommandsTests : IAsyncLifetime, IDisposable
{
    private const string Bucket = "ib-cli-store";
    private const string Unversioned = "ib-cli-unversioned";
    private readonly PostgresServer _pg;
    private readonly S3Server _s3;
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-store-").FullName;

    public StoreCommandsTests(PostgresServer pg, S3Server s3)
    {
        _pg = pg;
        _s3 = s3;

        // The CLI takes S3 credentials from the environment, as a user's shell gives them.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", s3.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", s3.SecretKey);
    }

    public async Task InitializeAsync()
    {
        await _s3.CreateVersionedBucketAsync(Bucket);
        using var client = _s3.CreateClient();
        await client.PutBucketAsync(Unversioned);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] S3Args(string bucket = Bucket) => ["--s3", $"s3://{bucket}/db", "--s3-endpoint", _s3.Endpoint];

    private static byte[] Gzip(string sql)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(sql.Replace("\r\n", "\n", StringComparison.Ordinal)));
        }

        return ms.ToArray();
    }

    /// <summary>Publishes one backup (anonymized script only) the way the runner does: artifact, then manifest.</summary>
    private static async Task<IReadOnlyList<StoredArtifact>> PublishAsync(IBackupStore store, string target, string sql, long orders)
    {
        var runId = Guid.NewGuid().ToString("N")[..12];
        await using var publication = await store.BeginAsync(target, runId, CancellationToken.None);
        await using (var stream = await publication.OpenArtifactAsync(ArtifactKind.Anonymized, CancellationToken.None))
        {
            await stream.WriteAsync(Gzip(sql));
        }

        var stored = await publication.PublishArtifactsAsync(CancellationToken.None);
        var manifest = new BackupManifest
        {
            RunId = runId,
            Target = target,
            StartedAt = DateTimeOffset.UtcNow,
            SnapshotTime = DateTimeOffset.UtcNow,
            Database = "shopdb",
            Schemas = ["shop"],
            ServerVersion = "15",
            ToolVersion = "test",
            Tables = [new ManifestTable("shop", "customers", 2, 0), new ManifestTable("shop", "orders", orders, 0)],
        };
        await publication.CommitAsync(manifest with { Artifacts = [.. stored.Select(a => a.ToManifest())] }, CancellationToken.None);
        return stored;
    }

    private static string TwoOrders => RestoreCommandTests.Dump.Replace("12\t2\tit's\n", "", StringComparison.Ordinal);

    [Fact]
    public async Task List_shows_each_version_newest_first_and_fetch_gets_the_latest_or_an_exact_version_verified()
    {
        using (var store = new S3Store(_s3.Options(Bucket)))
        {
            await PublishAsync(store, "shop", TwoOrders, 2);
            await PublishAsync(store, "shop", RestoreCommandTests.Dump, 3);
        }

        var list = await CliRun.RunAsync(["list", .. S3Args(), "--name", "shop", "--json"]);
        Assert.True(list.ExitCode == 0, list.ToString());
        var entries = JsonSerializer.Deserialize<List<ListCommand.Entry>>(list.StdOut, BackupManifest.JsonOptions)!;
        Assert.Equal(2, entries.Count);
        Assert.True(entries[0].IsLatest);
        Assert.Equal([5L, 4L], entries.Select(e => e.Rows));
        Assert.Equal(Gzip(RestoreCommandTests.Dump).Length, entries[0].Artifacts.Single(a => a.Kind == ArtifactKind.Anonymized).Size);

        var table = await CliRun.RunAsync(["list", .. S3Args(), "--name", "shop"]);
        Assert.Contains("(latest)", table.StdOut, StringComparison.Ordinal);

        var latest = await CliRun.RunAsync(["fetch", .. S3Args(), "--name", "shop", "--out", _dir]);
        Assert.True(latest.ExitCode == 0, latest.ToString());
        var file = Path.Combine(_dir, "shop.anon.gz");
        Assert.Equal(Gzip(RestoreCommandTests.Dump), await File.ReadAllBytesAsync(file));
        Assert.Contains("(verified)", latest.StdOut, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "shop.manifest.json")));

        var older = Path.Combine(_dir, "older.anon.gz");
        var exact = await CliRun.RunAsync(["fetch", .. S3Args(), "--name", "shop", "--version", entries[1].VersionId, "--out", older]);
        Assert.True(exact.ExitCode == 0, exact.ToString());
        Assert.Equal(Gzip(TwoOrders), await File.ReadAllBytesAsync(older));
    }

    [Fact]
    public async Task Fetch_of_a_corrupted_s3_object_fails_with_exit_3_and_leaves_no_file()
    {
        IReadOnlyList<StoredArtifact> stored;
        using (var store = new S3Store(_s3.Options(Unversioned)))
        {
            stored = await PublishAsync(store, "corrupt", RestoreCommandTests.Dump, 3);
        }

        // Unversioned bucket: the manifest names the key only, so overwriting the object corrupts the backup.
        var key = stored.Single().Key;
        var good = Gzip(RestoreCommandTests.Dump);
        var bad = good.ToArray();
        bad[bad.Length / 2] ^= 0xff;
        using (var client = _s3.CreateClient())
        {
            await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = Unversioned, Key = key, InputStream = new MemoryStream(bad) });
        }

        var r = await CliRun.RunAsync(["fetch", .. S3Args(Unversioned), "--name", "corrupt", "--out", _dir]);

        Assert.Equal(ExitCodes.VerificationFailed, r.ExitCode);
        Assert.Contains($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(bad))} does not match the manifest's {Convert.ToHexStringLower(SHA256.HashData(good))}", r.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Fetch_of_a_truncated_folder_backup_fails_with_exit_3()
    {
        var folder = Path.Combine(_dir, "backups");
        var store = new LocalFolderStore(new LocalFolderOptions { Path = folder });
        var stored = await PublishAsync(store, "trunc", RestoreCommandTests.Dump, 3);
        var stamped = Directory.GetFiles(folder, "trunc.*.anon.gz").Single();
        var bytes = await File.ReadAllBytesAsync(stamped);
        await File.WriteAllBytesAsync(stamped, bytes[..^10]);
        var outDir = Path.Combine(_dir, "out");
        Directory.CreateDirectory(outDir);

        var r = await CliRun.RunAsync("fetch", "--dir", folder, "--name", "trunc", "--out", outDir);

        Assert.Equal(ExitCodes.VerificationFailed, r.ExitCode);
        Assert.Contains($"{bytes.Length - 10} bytes, but the manifest says {stored.Single().Size}", r.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(outDir));
    }

    [Fact]
    public async Task Restore_from_s3_fetches_checks_and_loads_into_a_fresh_database()
    {
        using (var store = new S3Store(_s3.Options(Bucket)))
        {
            await PublishAsync(store, "shop-restore", RestoreCommandTests.Dump, 3);
        }

        await _pg.ExecuteAsync("DROP DATABASE IF EXISTS cli_store_restore");
        var r = await CliRun.RunAsync(["restore", .. S3Args(), "--name", "shop-restore", "--anon", "--to", _pg.ConnectionString("cli_store_restore"), "--create"]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("SHA-256 checked", r.StdErr, StringComparison.Ordinal);
        Assert.Matches(@"shop\.orders\s*│\s*3\s*│\s*3\s*│\s*ok", r.StdOut);
        Assert.Equal("a@example.invalid", await _pg.ScalarAsync<string>("SELECT email FROM shop.customers WHERE id = 1", "cli_store_restore"));
    }

    [Fact]
    public async Task Asking_for_a_missing_target_or_artifact_fails_with_exit_1()
    {
        var folder = Path.Combine(_dir, "missing");
        await PublishAsync(new LocalFolderStore(new LocalFolderOptions { Path = folder }), "only-anon", RestoreCommandTests.Dump, 3);

        var noTarget = await CliRun.RunAsync("fetch", "--dir", folder, "--name", "nobody");
        var noDump = await CliRun.RunAsync("fetch", "--dir", folder, "--name", "only-anon", "--dump", "--out", _dir);

        Assert.Equal(ExitCodes.Failed, noTarget.ExitCode);
        Assert.Contains("target nobody: no backups found", noTarget.StdErr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, noDump.ExitCode);
        Assert.Contains("has no .dump artifact", noDump.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_without_a_name_shows_every_target_of_a_folder_grouped_by_target_newest_first()
    {
        var folder = Path.Combine(_dir, "all");
        var store = new LocalFolderStore(new LocalFolderOptions { Path = folder });
        await PublishAsync(store, "beta", TwoOrders, 2);
        await PublishAsync(store, "alpha.eu", TwoOrders, 2);
        await PublishAsync(store, "alpha", RestoreCommandTests.Dump, 3);
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not a backup");

        // The folder store stamps versions to the second.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await PublishAsync(store, "beta", RestoreCommandTests.Dump, 3);

        var json = await CliRun.RunAsync("list", "--dir", folder, "--json");
        var table = await CliRun.RunAsync("list", "--dir", folder);

        Assert.True(json.ExitCode == 0, json.ToString());
        var entries = JsonSerializer.Deserialize<List<ListCommand.Entry>>(json.StdOut, BackupManifest.JsonOptions)!;
        Assert.Equal(["alpha", "alpha.eu", "beta", "beta"], entries.Select(e => e.Target));
        Assert.Equal([true, true, true, false], entries.Select(e => e.IsLatest));
        Assert.Equal([3L + 2, 2L + 2, 3L + 2, 2L + 2], entries.Select(e => e.Rows));
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"Target\s*│\s*Time \(UTC\)", table.StdOut);
        Assert.Single(table.StdOut.Split('\n'), line => line.Contains("alpha.eu ", StringComparison.Ordinal) && line.Contains(entries[1].VersionId, StringComparison.Ordinal));
    }
}
