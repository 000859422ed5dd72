using System.IO.Compression;
using System.Text;
using BackupCore.Storage;

namespace BackupCli.Tests;

/// <summary>verify (and a real backup's list / restore) against a folder store and the real PostgreSQL.</summary>
[Collection(CliServers.Name)]
public sealed class VerifyCommandTests(PostgresServer server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-verify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Folder => Path.Combine(_dir, "backups");

    private string ServerCs => server.ConnectionString("postgres");

    private static byte[] Gzip(string sql)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(sql.Replace("\r\n", "\n", StringComparison.Ordinal)));
        }

        return ms.ToArray();
    }

    private async Task PublishAsync(string target, Dictionary<ArtifactKind, byte[]> artifacts, long orders = 3)
    {
        var store = new LocalFolderStore(new LocalFolderOptions { Path = Folder });
        var runId = Guid.NewGuid().ToString("N")[..12];
        await using var publication = await store.BeginAsync(target, runId, CancellationToken.None);
        foreach (var (kind, bytes) in artifacts)
        {
            await using var stream = await publication.OpenArtifactAsync(kind, CancellationToken.None);
            await stream.WriteAsync(bytes);
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
    }

    private async Task<long> ScratchDatabasesAsync() =>
        await server.ScalarAsync<long>("SELECT count(*) FROM pg_database WHERE datname LIKE 'ib_verify_%'");

    [Fact]
    public async Task A_real_backup_verifies_lists_and_restores_equal_to_its_source()
    {
        await server.CreateDatabaseAsync("cli_e2e_src");
        (await server.PsqlAsync("cli_e2e_src", RestoreCommandTests.Dump)).EnsureSuccess("psql");
        var backup = await CliRun.RunAsync("backup", "--connection", server.ConnectionString("cli_e2e_src"), "--schema", "shop", "--name", "e2e", "--dir", Folder);
        Assert.True(backup.ExitCode == 0, backup.ToString());

        var verify = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "e2e", "--server", ServerCs);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("archive blocks", verify.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"row counts\s*│\s*ok", verify.StdOut);
        Assert.Equal(0, await ScratchDatabasesAsync());

        var list = await CliRun.RunAsync("list", "--dir", Folder, "--name", "e2e");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("(latest)", list.StdOut, StringComparison.Ordinal);

        await server.ExecuteAsync("DROP DATABASE IF EXISTS cli_e2e_dst");
        var restore = await CliRun.RunAsync("restore", "--dir", Folder, "--name", "e2e", "--full", "--to", server.ConnectionString("cli_e2e_dst"), "--create");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(await server.SchemaDumpAsync("cli_e2e_src"), await server.SchemaDumpAsync("cli_e2e_dst"));
        Assert.Equal(
            await server.ScalarAsync<string>("SELECT string_agg(o::text, ',' ORDER BY id) FROM shop.orders o", "cli_e2e_src"),
            await server.ScalarAsync<string>("SELECT string_agg(o::text, ',' ORDER BY id) FROM shop.orders o", "cli_e2e_dst"));
    }

    [Fact]
    public async Task A_backup_whose_row_counts_differ_from_its_manifest_fails_with_exit_3()
    {
        await PublishAsync("rows-off", new() { [ArtifactKind.Plain] = Gzip(RestoreCommandTests.Dump) }, orders: 4);

        var r = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "rows-off", "--server", ServerCs);

        Assert.Equal(ExitCodes.VerificationFailed, r.ExitCode);
        Assert.Contains("shop.orders: 3 restored, manifest says 4", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("verification of rows-off failed: 1 of 3 checks", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, await ScratchDatabasesAsync());
    }

    [Fact]
    public async Task A_truncated_backup_fails_with_exit_3_at_the_restore_and_the_archive_walk()
    {
        var cut = RestoreCommandTests.Dump[..RestoreCommandTests.Dump.IndexOf("11\t2", StringComparison.Ordinal)];
        var archive = Path.Combine(_dir, "full.dump");
        await server.CreateDatabaseAsync("cli_trunc_src");
        (await server.PsqlAsync("cli_trunc_src", RestoreCommandTests.Dump)).EnsureSuccess("psql");
        (await server.ClientToolAsync("pg_dump", null, "-Fc", "-f", archive, "-d", "cli_trunc_src")).EnsureSuccess("pg_dump -Fc");
        var archiveBytes = await File.ReadAllBytesAsync(archive);
        await PublishAsync("cut", new()
        {
            [ArtifactKind.Plain] = Gzip(cut),
            [ArtifactKind.Archive] = archiveBytes[..(archiveBytes.Length - 40)],
        });

        var r = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "cut", "--server", ServerCs);

        Assert.True(r.ExitCode == ExitCodes.VerificationFailed, r.ToString());
        Assert.Matches(@"archive blocks\s*│\s*FAILED", r.StdOut);
        Assert.Matches(@"restore cut\.gz\s*│\s*FAILED\s*│\s*script line \d+: the input ends inside COPY data", r.StdOut);
    }

    [Fact]
    public async Task A_corrupted_artifact_fails_the_hash_check_with_exit_3()
    {
        await PublishAsync("flipped", new() { [ArtifactKind.Plain] = Gzip(RestoreCommandTests.Dump) });
        var stamped = Directory.GetFiles(Folder, "flipped.*.gz").Single();
        var bytes = await File.ReadAllBytesAsync(stamped);
        bytes[20] ^= 0x55;
        await File.WriteAllBytesAsync(stamped, bytes);

        var r = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "flipped", "--server", ServerCs);

        Assert.Equal(ExitCodes.VerificationFailed, r.ExitCode);
        Assert.Matches(@"sha256 flipped\.gz\s*│\s*FAILED", r.StdOut);
        Assert.Contains("no plain SQL artifact downloaded intact", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_into_a_given_scratch_database_keeps_it()
    {
        await PublishAsync("given", new() { [ArtifactKind.Anonymized] = Gzip(RestoreCommandTests.Dump) });
        await server.ExecuteAsync("DROP DATABASE IF EXISTS cli_verify_given");

        var r = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "given", "--to", server.ConnectionString("cli_verify_given"));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(3, await server.ScalarAsync<long>("SELECT count(*) FROM shop.orders", "cli_verify_given"));
    }

    [Fact]
    public async Task Verify_at_a_time_checks_the_backup_that_was_current_then()
    {
        await PublishAsync("at", new() { [ArtifactKind.Plain] = Gzip(RestoreCommandTests.Dump) }, orders: 3);

        // The folder store stamps versions to the second; the newer backup's manifest is off (verify must fail on it).
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await PublishAsync("at", new() { [ArtifactKind.Plain] = Gzip(RestoreCommandTests.Dump) }, orders: 7);
        var versions = await new LocalFolderStore(Folder).ListVersionsAsync("at", CancellationToken.None);
        var older = versions[1];
        var at = older.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var then = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "at", "--at", at, "--server", ServerCs);
        var latest = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "at", "--server", ServerCs);
        var before = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "at", "--at", "2020-01-01", "--server", ServerCs);

        Assert.True(then.ExitCode == 0, then.ToString());
        Assert.Contains($"verify at version {older.VersionId} ", then.StdOut, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.VerificationFailed, latest.ExitCode);
        Assert.Contains($"verify at version {versions[0].VersionId} ", latest.StdOut, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, before.ExitCode);
        Assert.Contains("target at: no backup at or before 2020-01-01 23:59:59Z", before.StdErr, StringComparison.Ordinal);
    }
}
