using System.Globalization;
using System.Security.Cryptography;
using BackupCore.Archive;
using BackupCore.Storage;
using Xunit.Abstractions;

namespace BackupCli.Tests;

/// <summary>
/// The streamed <c>NAME.dump</c> (issue 15) end to end: integrity of the head written last, manifests from before
/// streaming, and a backup whose temporary directory is far too small to hold the archive. The read side streams too:
/// verify and restore from a store read each artifact once, straight into the check or the database, and a byte that
/// differs from the manifest stops the restore before it commits.
/// </summary>
[Collection(CliServers.Name)]
public sealed class StreamedArchiveTests : IAsyncLifetime, IDisposable
{
    private readonly PostgresServer _pg;
    private readonly S3Server _s3;
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-streamed-").FullName;
    private readonly string _bucket = "ib-cli-streamed-" + Guid.NewGuid().ToString("N")[..8];

    public StreamedArchiveTests(PostgresServer pg, S3Server s3, ITestOutputHelper output)
    {
        _pg = pg;
        _s3 = s3;
        _output = output;

        // The AWS SDK reads credentials from the process environment, as a user's shell gives them.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", s3.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", s3.SecretKey);
    }

    public async Task InitializeAsync()
    {
        await _s3.CreateVersionedBucketAsync(_bucket);
        await _pg.CreateDatabaseAsync("cli_streamed_small");
        (await _pg.PsqlAsync("cli_streamed_small", RestoreCommandTests.Dump)).EnsureSuccess("psql");

        // Enough data that every artifact is several of the 64 KiB buffers the streamed restores hold back.
        await _pg.ExecuteAsync("CREATE TABLE shop.filler (id int PRIMARY KEY, note text); INSERT INTO shop.filler SELECT g, md5(g::text) FROM generate_series(1, 30000) g;", "cli_streamed_small");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Folder => Path.Combine(_dir, "backups");

    private string S3Url => $"s3://{_bucket}/db";

    private async Task<ManifestArtifact> BackUpSmallAsync(string name, bool s3 = false)
    {
        string[] stores = s3 ? ["--dir", Folder, "--s3", S3Url, "--s3-endpoint", _s3.Endpoint] : ["--dir", Folder];
        var backup = await CliRun.RunAsync(["backup", "--connection", _pg.ConnectionString("cli_streamed_small"), "--schema", "shop", "--name", name, .. stores]);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var manifest = BackupManifest.FromJson(await File.ReadAllBytesAsync(Path.Combine(Folder, name + ".manifest.json")), "manifest");
        return manifest.Artifacts.Single(a => a.Kind == ArtifactKind.Archive);
    }

    private static async Task FlipByteAsync(string path, long offset)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x20));
    }

    [Fact]
    public async Task Fetch_refuses_a_dump_with_one_byte_changed_in_its_TOC_and_one_changed_in_a_data_block()
    {
        var artifact = await BackUpSmallAsync("flip");
        var head = Assert.IsType<ArtifactHead>(artifact.Head);
        var path = Path.Combine(Folder, "flip.dump");
        var contents = await ArchiveReader.ReadAsync(new MemoryStream(await File.ReadAllBytesAsync(path)), "flip.dump", CancellationToken.None);
        Assert.Equal(contents.DataStart, head.Length);
        var out1 = Path.Combine(_dir, "out");
        Directory.CreateDirectory(out1);

        // The last TOC entry's tag, well inside the head.
        var tocByte = contents.Entries[^1].FileOffset + 12;
        await FlipByteAsync(path, tocByte);
        var toc = await CliRun.RunAsync("fetch", "--dir", Folder, "--name", "flip", "--dump", "--out", out1);
        Assert.True(toc.ExitCode == 3, toc.ToString());
        Assert.Contains($"of the first {head.Length} bytes (header and TOC) does not match the manifest's {head.Sha256}", toc.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(out1));
        await FlipByteAsync(path, tocByte);

        // A byte of compressed table data in the middle of the largest block.
        var block = contents.DataBlocks.MaxBy(b => b.Length)!;
        var dataByte = block.FileOffset + (block.Length / 2);
        await FlipByteAsync(path, dataByte);
        var data = await CliRun.RunAsync("fetch", "--dir", Folder, "--name", "flip", "--dump", "--out", out1);
        Assert.True(data.ExitCode == 3, data.ToString());
        Assert.Contains($"of the bytes after the first {head.Length} does not match the manifest's {artifact.Sha256}", data.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(out1));
        await FlipByteAsync(path, dataByte);

        var good = await CliRun.RunAsync("fetch", "--dir", Folder, "--name", "flip", "--dump", "--out", out1);
        Assert.True(good.ExitCode == 0, good.ToString());
    }

    [Fact]
    public async Task A_dump_whose_manifest_has_the_whole_file_sha256_of_before_streaming_still_fetches_verifies_and_refuses_a_change()
    {
        await BackUpSmallAsync("older");

        // Rewrite the manifest as an older version wrote it for .dump: no head, sha256 of the whole file.
        var manifestPath = Path.Combine(Folder, "older.manifest.json");
        var manifest = BackupManifest.FromJson(await File.ReadAllBytesAsync(manifestPath), "manifest");
        var dumpPath = Path.Combine(Folder, "older.dump");
        var whole = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(dumpPath)));
        var older = manifest with
        {
            Artifacts = [.. manifest.Artifacts.Select(a => a.Kind == ArtifactKind.Archive ? a with { Sha256 = whole, Head = null } : a)],
        };
        var json = older.ToJsonBytes();
        Assert.DoesNotContain("\"head\"", System.Text.Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        await File.WriteAllBytesAsync(manifestPath, json); // the latest name is a hard link of the stamped manifest

        var out1 = Path.Combine(_dir, "older-out");
        Directory.CreateDirectory(out1);
        var fetch = await CliRun.RunAsync("fetch", "--dir", Folder, "--name", "older", "--dump", "--out", out1);
        Assert.True(fetch.ExitCode == 0, fetch.ToString());
        Assert.Contains($"sha256 {whole} (verified)", fetch.StdOut, StringComparison.Ordinal);
        var verify = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "older", "--no-restore");
        Assert.True(verify.ExitCode == 0, verify.ToString());

        await FlipByteAsync(dumpPath, 100);
        var bad = await CliRun.RunAsync("fetch", "--dir", Folder, "--name", "older", "--dump", "--out", Path.Combine(out1, "bad.dump"));
        Assert.True(bad.ExitCode == 3, bad.ToString());
        Assert.Contains($"does not match the manifest's {whole}", bad.StdErr, StringComparison.Ordinal);
    }

    /// <summary>The stamped file of one of a target's artifacts in the folder store (the latest name is a hard link to it).</summary>
    private string Stamped(string name, ArtifactKind kind) =>
        Directory.GetFiles(Folder, $"{name}.*{kind.Suffix()}").Single(f => kind != ArtifactKind.Plain || !f.EndsWith(ArtifactKind.Anonymized.Suffix(), StringComparison.Ordinal));

    /// <summary>A database with rows of its own and a table the backup would replace, to see that a failed restore left it alone.</summary>
    private async Task<string> ExistingDatabaseAsync(string name)
    {
        await _pg.CreateDatabaseAsync(name);
        await _pg.ExecuteAsync("CREATE TABLE keep (x int); INSERT INTO keep VALUES (7); CREATE SCHEMA shop; CREATE TABLE shop.orders (x int); INSERT INTO shop.orders VALUES (99);", name);
        return _pg.ConnectionString(name);
    }

    private async Task AssertAsItWasAsync(string database)
    {
        Assert.Equal(7, await _pg.ScalarAsync<int>("SELECT x FROM keep", database));
        Assert.Equal("99", await _pg.ScalarAsync<string>("SELECT string_agg(x::text, ',') FROM shop.orders", database));
        Assert.Equal(0L, await _pg.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname IN ('customers', 'filler')", database));
    }

    private async Task<bool> DatabaseExistsAsync(string name) =>
        await _pg.ScalarAsync<long>($"SELECT count(*) FROM pg_database WHERE datname = {PostgresServer.QuoteLiteral(name)}") == 1;

    [Fact]
    public async Task A_stored_gz_that_decompresses_cleanly_but_differs_from_its_manifest_fails_restore_and_verify_at_its_end_and_changes_no_database()
    {
        await BackUpSmallAsync("mtime");

        // Byte 4 is the first gzip member's MTIME, which no inflater checks (RFC 1952): the whole script decompresses and
        // runs, and only the SHA-256 at the end tells.
        await FlipByteAsync(Stamped("mtime", ArtifactKind.Plain), 4);

        var existing = await ExistingDatabaseAsync("cli_streamed_mtime");
        var into = await CliRun.RunAsync("restore", "--dir", Folder, "--name", "mtime", "--full", "--to", existing);
        Assert.True(into.ExitCode == ExitCodes.VerificationFailed, into.ToString());
        Assert.Contains("mtime.gz: SHA-256 ", into.StdErr, StringComparison.Ordinal);
        Assert.Contains("does not match the manifest's", into.StdErr, StringComparison.Ordinal);
        Assert.Contains("(one transaction: the database was left as it was)", into.StdErr, StringComparison.Ordinal);
        await AssertAsItWasAsync("cli_streamed_mtime");

        // --clean would drop the database before the first byte is checked: the backup is checked before.
        var clean = await CliRun.RunAsync("restore", "--dir", Folder, "--name", "mtime", "--full", "--to", existing, "--clean");
        Assert.True(clean.ExitCode == ExitCodes.VerificationFailed, clean.ToString());
        await AssertAsItWasAsync("cli_streamed_mtime");

        // A database the restore created goes again.
        await _pg.ExecuteAsync("DROP DATABASE IF EXISTS cli_streamed_mtime_new");
        var created = await CliRun.RunAsync("restore", "--dir", Folder, "--name", "mtime", "--full", "--to", _pg.ConnectionString("cli_streamed_mtime_new"), "--create");
        Assert.True(created.ExitCode == ExitCodes.VerificationFailed, created.ToString());
        Assert.Contains("(the database \"cli_streamed_mtime_new\" this restore created was dropped)", created.StdErr, StringComparison.Ordinal);
        Assert.False(await DatabaseExistsAsync("cli_streamed_mtime_new"));

        // verify: the .gz fails its hash check, its restore was rolled back, and the anonymized script is restored instead.
        var verify = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "mtime", "--server", _pg.ConnectionString("postgres"));
        Assert.True(verify.ExitCode == ExitCodes.VerificationFailed, verify.ToString());
        Assert.Matches(@"sha256 mtime\.gz\s*│\s*FAILED\s*│.*does not match the manifest's", verify.StdOut);
        Assert.Matches(@"restore mtime\.anon\.gz\s*│\s*ok", verify.StdOut);
        Assert.Matches(@"row counts\s*│\s*ok", verify.StdOut);
        Assert.Equal(0L, await _pg.ScalarAsync<long>("SELECT count(*) FROM pg_database WHERE datname LIKE 'ib_verify_mtime%'"));
    }

    [Fact]
    public async Task A_stored_gz_with_a_byte_changed_in_its_data_stops_the_streamed_restore_which_reports_the_mismatch_and_changes_nothing()
    {
        await BackUpSmallAsync("middle");
        var gz = Stamped("middle", ArtifactKind.Plain);
        await FlipByteAsync(gz, new FileInfo(gz).Length / 2);

        var existing = await ExistingDatabaseAsync("cli_streamed_middle");
        var r = await CliRun.RunAsync("restore", "--dir", Folder, "--name", "middle", "--full", "--to", existing);

        // The corrupt deflate data stops the script; the rest is read so the cause is named, not the symptom.
        Assert.True(r.ExitCode == ExitCodes.VerificationFailed, r.ToString());
        Assert.Contains("does not match the manifest's", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("the restore stopped: ", r.StdErr, StringComparison.Ordinal);
        await AssertAsItWasAsync("cli_streamed_middle");

        var verify = await CliRun.RunAsync("verify", "--dir", Folder, "--name", "middle", "--server", _pg.ConnectionString("postgres"));
        Assert.True(verify.ExitCode == ExitCodes.VerificationFailed, verify.ToString());
        Assert.Matches(@"sha256 middle\.gz\s*│\s*FAILED", verify.StdOut);
        Assert.Matches(@"sha256 middle\.anon\.gz\s*│\s*ok", verify.StdOut);
        Assert.Matches(@"restore middle\.anon\.gz\s*│\s*ok", verify.StdOut);
    }

    [Fact]
    public async Task A_dump_streams_from_S3_into_a_serial_pg_restore_and_a_changed_TOC_byte_stops_pg_restore_before_it_commits()
    {
        await BackUpSmallAsync("piped", s3: true);
        await _pg.ExecuteAsync("DROP DATABASE IF EXISTS cli_streamed_piped");
        var good = await CliRun.RunAsync("restore", "--s3", S3Url, "--s3-endpoint", _s3.Endpoint, "--name", "piped", "--dump", "--to", _pg.ConnectionString("cli_streamed_piped"), "--create");
        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Contains("pg_restore finished", good.StdOut, StringComparison.Ordinal);
        Assert.Contains("SHA-256 checked", good.StdErr, StringComparison.Ordinal);
        Assert.Matches(@"shop\.filler\s*│\s*30,000\s*│\s*30,000\s*│\s*ok", good.StdOut);
        var digest = "SELECT md5(string_agg(f::text, ',' ORDER BY id)) FROM shop.filler f";
        Assert.Equal(await _pg.ScalarAsync<string>(digest, "cli_streamed_small"), await _pg.ScalarAsync<string>(digest, "cli_streamed_piped"));

        // A TOC tag is only a label to pg_restore: it restores everything and would commit, but for the last bytes of
        // the archive, which it gets only once the whole object matched its manifest.
        var dump = Stamped("piped", ArtifactKind.Archive);
        var bytes = await File.ReadAllBytesAsync(dump);
        Assert.True(bytes.Length > 4 * 65536, "the archive is too small to show pg_restore working before the check");
        var last = (await ArchiveReader.ReadAsync(new MemoryStream(bytes), "piped.dump", CancellationToken.None)).Entries[^1];
        var tag = bytes.AsSpan((int)last.FileOffset).IndexOf(System.Text.Encoding.UTF8.GetBytes(last.Tag!));
        Assert.True(tag > 0, $"the tag {last.Tag} of the last TOC entry");
        await FlipByteAsync(dump, last.FileOffset + tag);
        var existing = await ExistingDatabaseAsync("cli_streamed_piped_over");
        var bad = await CliRun.RunAsync("restore", "--dir", Folder, "--name", "piped", "--dump", "--to", existing, "--verbose");
        Assert.True(bad.ExitCode == ExitCodes.VerificationFailed, bad.ToString());
        Assert.Contains("(header and TOC) does not match the manifest's", bad.StdErr, StringComparison.Ordinal);
        Assert.Contains("(one transaction: the database was left as it was)", bad.StdErr, StringComparison.Ordinal);
        Assert.Contains("processing data for table \"shop.filler\"", bad.StdErr, StringComparison.Ordinal);
        await AssertAsItWasAsync("cli_streamed_piped_over");
    }

    [Fact]
    public async Task A_dump_restored_with_parallel_jobs_is_downloaded_into_the_work_dir_which_is_left_empty()
    {
        await BackUpSmallAsync("jobs");
        var work = Directory.CreateDirectory(Path.Combine(_dir, "work")).FullName;
        await _pg.ExecuteAsync("DROP DATABASE IF EXISTS cli_streamed_jobs");

        var r = await CliRun.RunAsync("restore", "--dir", Folder, "--name", "jobs", "--dump", "--jobs", "2", "--work-dir", work, "--to", _pg.ConnectionString("cli_streamed_jobs"), "--create", "--verbose");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("pg_restore: launching item", r.StdErr, StringComparison.Ordinal); // only a parallel pg_restore says so
        Assert.Equal(30000L, await _pg.ScalarAsync<long>("SELECT count(*) FROM shop.filler", "cli_streamed_jobs"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));

        // pg_restore refuses parallel jobs in one transaction, the default into an existing database: said before anything happens.
        var existing = await ExistingDatabaseAsync("cli_streamed_jobs_over");
        var single = await CliRun.RunAsync("restore", "--dir", Folder, "--name", "jobs", "--dump", "--jobs", "2", "--to", existing);
        Assert.True(single.ExitCode == ExitCodes.Failed, single.ToString());
        Assert.Contains("--jobs 2: pg_restore cannot run parallel jobs in one transaction", single.StdErr, StringComparison.Ordinal);
        await AssertAsItWasAsync("cli_streamed_jobs_over");
        var both = await CliRun.RunAsync("restore", "--dir", Folder, "--name", "jobs", "--dump", "--jobs", "2", "-1", "--to", existing);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
    }

    /// <summary>
    /// The issue's proof: over 200 MB of table data backed up by the CLI as its own process, with TMPDIR on a 16 MiB
    /// tmpfs, to the folder store (normal disk) and S3 at once. Both land byte-identical, the temp disk stays empty,
    /// pg_restore 15 lists the archive and restores it with -j 2 to the same rows. Then, TMPDIR still on the tmpfs,
    /// verify with its full restore passes from S3 and from the folder and a restore of the .gz from S3 gives the same
    /// rows, each without a byte in TMPDIR: the artifacts stream from the store into the checks and the database.
    /// </summary>
    [Fact]
    public async Task Backup_verify_and_restore_of_200_MB_with_TMPDIR_on_a_16_MiB_tmpfs_use_no_temp_disk_and_restore_identical()
    {
        const string Source = "cli_streamed_big";
        await _pg.CreateDatabaseAsync(Source);
        await using (var connection = new Npgsql.NpgsqlConnection(_pg.ConnectionString(Source)))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                """
                CREATE TABLE big (id bigint PRIMARY KEY, a text, b text, c jsonb);
                INSERT INTO big SELECT i, md5(i::text) || md5((i * 3)::text), repeat(md5((i * 7)::text), 3),
                       jsonb_build_object('email', 'user' || i || '@example.com', 'n', i)
                  FROM generate_series(1, 850000) i;
                CREATE TABLE medium (id int PRIMARY KEY, note text);
                INSERT INTO medium SELECT i, repeat(md5(i::text), 4) FROM generate_series(1, 100000) i;
                """,
                connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }

        var tableBytes = await _pg.ScalarAsync<long>(
            "SELECT sum(pg_relation_size(c.oid) + coalesce(pg_relation_size(c.reltoastrelid), 0))::bigint FROM pg_class c WHERE c.relname IN ('big', 'medium')",
            Source);
        Assert.True(tableBytes >= 200L * 1024 * 1024, $"only {tableBytes} bytes of table data");

        var tmp = Directory.CreateDirectory(Path.Combine(_dir, "tmp")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(_dir, "cwd")).FullName;
        (await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", tmp])).EnsureSuccess("mount tmpfs");
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (exit, stdout, stderr, peakRssKb, peakTempBytes) = await RunCliProcessAsync(
                tmp,
                work,
                "backup", "--connection", _pg.ConnectionString(Source), "--name", "big", "--dir", Folder,
                "--s3", S3Url, "--s3-endpoint", _s3.Endpoint);
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");

            // Nothing proportional to the data outside the stores: the temp disk and the working folder stay (nearly) empty.
            Assert.True(peakTempBytes <= 1024 * 1024, $"the temp folder held {peakTempBytes} bytes during the backup");
            Assert.Empty(Directory.EnumerateFileSystemEntries(work));
            _output.WriteLine($"streamed backup of {tableBytes} bytes of table data: {clock.Elapsed.TotalSeconds:F1} s, peak RSS {peakRssKb / 1024} MB, peak temp {peakTempBytes} bytes");

            // S3 holds the same bytes as the folder; pg_restore 15 lists the archive, and every data offset is set.
            var fromS3 = Path.Combine(_dir, "from-s3");
            Directory.CreateDirectory(fromS3);
            var fetch = await CliRun.RunAsync("fetch", "--s3", S3Url, "--s3-endpoint", _s3.Endpoint, "--name", "big", "--dump", "--out", fromS3);
            Assert.True(fetch.ExitCode == 0, fetch.ToString());
            var dump = Path.Combine(Folder, "big.dump");
            Assert.Equal(await FileSha256Async(dump), await FileSha256Async(Path.Combine(fromS3, "big.dump")));
            await using (var stream = File.OpenRead(dump))
            {
                var contents = await ArchiveReader.ReadAsync(stream, "big.dump", CancellationToken.None);
                var data = contents.Entries.Where(e => e.HadDumper).ToList();
                Assert.Equal(2, data.Count);
                Assert.All(data, e => Assert.Equal(ArchiveOffsetState.PositionSet, e.OffsetState));
            }

            var list = (await _pg.ClientToolAsync("pg_restore", null, "-l", dump)).EnsureSuccess("pg_restore -l");
            Assert.Contains("TABLE DATA public big", list.StdOut, StringComparison.Ordinal);

            const string Target = "cli_streamed_restored";
            await _pg.CreateDatabaseAsync(Target);
            var restore = await _pg.ClientToolAsync("pg_restore", null, "--no-owner", "--no-privileges", "-j", "2", "-d", Target, dump);
            Assert.True(restore.ExitCode == 0 && restore.StdErr.Length == 0, $"pg_restore -j 2 exited {restore.ExitCode}: {restore.StdErr}");
            await AssertSameRowsAsync(Source, Target);
            await _pg.ExecuteAsync($"DROP DATABASE {Target} WITH (FORCE)");

            // verify and restore read the artifacts from the stores with TMPDIR still on the tmpfs: not a byte goes there.
            string[] s3 = ["--s3", S3Url, "--s3-endpoint", _s3.Endpoint];
            string[] folder = ["--dir", Folder];
            foreach (var store in new[] { s3, folder })
            {
                var verify = await RunWithoutTempAsync(tmp, work, "verify " + store[0], ["verify", .. store, "--name", "big", "--server", _pg.ConnectionString("postgres")]);
                Assert.Matches(@"sha256 big\.dump\s*│\s*ok", verify);
                Assert.Matches(@"archive blocks\s*│\s*ok", verify);
                Assert.Matches(@"restore big\.gz\s*│\s*ok", verify);
                Assert.Matches(@"row counts\s*│\s*ok", verify);
            }

            const string FromGz = "cli_streamed_from_gz";
            await _pg.ExecuteAsync($"DROP DATABASE IF EXISTS {FromGz}");
            var restored = await RunWithoutTempAsync(tmp, work, "restore --s3 --full", ["restore", .. s3, "--name", "big", "--full", "--to", _pg.ConnectionString(FromGz), "--create"]);
            Assert.Contains($"restored big.gz into database \"{FromGz}\" (created)", restored, StringComparison.Ordinal);
            await AssertSameRowsAsync(Source, FromGz);
            await _pg.ExecuteAsync($"DROP DATABASE {FromGz} WITH (FORCE)");
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", [tmp]);
        }

        await _pg.ExecuteAsync($"DROP DATABASE {Source} WITH (FORCE)");
    }

    private async Task AssertSameRowsAsync(string source, string target)
    {
        foreach (var table in new[] { "big", "medium" })
        {
            var digest = $"SELECT count(*) || ' ' || md5(string_agg(md5(t::text), '' ORDER BY id)) FROM {table} t";
            Assert.Equal(await _pg.ScalarAsync<string>(digest, source), await _pg.ScalarAsync<string>(digest, target));
        }
    }

    /// <summary>Runs the CLI as its own process with TMPDIR on <paramref name="tmp"/>; it must succeed and leave the temp disk untouched. Returns stdout.</summary>
    private async Task<string> RunWithoutTempAsync(string tmp, string work, string what, string[] args)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (exit, stdout, stderr, peakRssKb, peakTempBytes) = await RunCliProcessAsync(tmp, work, args);
        Assert.True(exit == 0, $"{what}: exit {exit}\n{stdout}\n{stderr}");
        Assert.True(peakTempBytes == 0, $"{what}: the temp folder held {peakTempBytes} bytes");
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp));
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
        _output.WriteLine($"{what}: {clock.Elapsed.TotalSeconds:F1} s, peak RSS {peakRssKb / 1024} MB, peak temp {peakTempBytes} bytes");
        return stdout;
    }

    private static async Task<string> FileSha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }

    /// <summary>
    /// Runs the CLI as its own process with <c>TMPDIR</c> set (so nothing of the test process's temp use counts), under
    /// /usr/bin/time for its peak RSS, sampling the temp folder's file system usage every 50 ms for its peak.
    /// </summary>
    private async Task<(int Exit, string StdOut, string StdErr, long PeakRssKb, long PeakTempBytes)> RunCliProcessAsync(string tmp, string workingDirectory, params string[] args)
    {
        var timeFile = Path.Combine(_dir, "time.txt");
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/time")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in (string[])["-f", "%M", "-o", timeFile, Path.Combine(AppContext.BaseDirectory, "infinite-backup"), .. args])
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["TMPDIR"] = tmp;
        start.Environment["AWS_ACCESS_KEY_ID"] = _s3.AccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = _s3.SecretKey;
        start.Environment["Backup__Anonymization__Key"] = "streamed-archive-test-key-0123456789";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peakTemp = 0;
        while (!process.HasExited)
        {
            peakTemp = Math.Max(peakTemp, UsedBytes(tmp));
            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(50));
        }

        await process.WaitForExitAsync();
        var rss = long.Parse((await File.ReadAllTextAsync(timeFile)).Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
        return (process.ExitCode, await stdout, await stderr, rss, peakTemp);
    }

    /// <summary>Bytes in use on the file system at <paramref name="path"/> (a tmpfs: what its files hold, deleted-but-open ones too).</summary>
    private static long UsedBytes(string path)
    {
        var drive = new DriveInfo(path);
        return drive.TotalSize - drive.TotalFreeSpace;
    }
}
