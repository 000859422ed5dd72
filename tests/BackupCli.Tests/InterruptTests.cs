using Amazon.S3.Model;
using BackupCore.Storage;
using Npgsql;

namespace BackupCli.Tests;

/// <summary>
/// Ctrl-C and SIGTERM sent to a real CLI process in the middle of its work: it prints one "cancelled" line, exits
/// 130 (143 for SIGTERM) and leaves nothing behind — no temporary artifact in the output folder or the temp
/// directory, no open multipart upload, no .partial download, no scratch database, no half-restored database.
/// A run killed with SIGKILL cannot clean up; the next run of the same store removes what it left.
/// The work is held at a known point by a stalled TCP proxy or a lock, so the signal always lands mid-run.
/// </summary>
[Collection(CliServers.Name)]
public sealed class InterruptTests : IAsyncLifetime, IDisposable
{
    private const string Database = "cli_int_src";
    private const string Bucket = "ib-cli-interrupt";
    private readonly PostgresServer _pg;
    private readonly S3Server _s3;
    private readonly string _root = Directory.CreateTempSubdirectory("ib-cli-int-").FullName;

    public InterruptTests(PostgresServer pg, S3Server s3)
    {
        _pg = pg;
        _s3 = s3;

        // The AWS SDK reads credentials from the process environment, as a user's shell gives them.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", s3.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", s3.SecretKey);
    }

    private string Store => Path.Combine(_root, "store");

    public async Task InitializeAsync()
    {
        await _pg.CreateDatabaseAsync(Database);

        // About 30 MB of COPY text that compresses to ~15 MB per artifact: more than one 8 MiB S3 part.
        await _pg.ExecuteAsync(
            "CREATE TABLE small (id int PRIMARY KEY, note text); INSERT INTO small VALUES (1, 'one');" +
            "CREATE TABLE big (id int PRIMARY KEY, a text, b text);" +
            "INSERT INTO big SELECT g, md5(g::text), md5((g * 7)::text) FROM generate_series(1, 400000) g;" +
            "CREATE VIEW big_ids AS SELECT id FROM big;",
            Database);
        await _s3.CreateVersionedBucketAsync(Bucket);
        var stored = await CliRun.RunWithEnvironmentAsync(
            S3Environment(),
            ["backup", "--connection", _pg.ConnectionString(Database), "--name", "src", "--dir", Store, "--s3", $"s3://{Bucket}/store", "--s3-endpoint", _s3.Endpoint]);
        Assert.True(stored.ExitCode == 0, stored.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Dictionary<string, string?> S3Environment() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = _s3.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = _s3.SecretKey,
        ["Backup__Anonymization__Key"] = "interrupt-test-key-0123456789abcdef",
    };

    /// <summary>The child's environment: its own temp directory (to check it is left empty) and the S3 credentials.</summary>
    private Dictionary<string, string> ChildEnvironment(string tmp) => new()
    {
        ["TMPDIR"] = tmp,
        ["AWS_ACCESS_KEY_ID"] = _s3.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = _s3.SecretKey,
        ["Backup__Anonymization__Key"] = "interrupt-test-key-0123456789abcdef",
    };

    private string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..6])).FullName;

    private static void AssertCancelled(CliProcess cli, int exit, int expected)
    {
        Assert.True(exit == expected, $"exit {exit}\n{cli}");
        var lines = cli.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("cancelled", lines);
        Assert.DoesNotContain("Unhandled exception", cli.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.StdErr, StringComparison.Ordinal);
    }

    private static void AssertEmpty(string folder) =>
        Assert.True(Directory.GetFileSystemEntries(folder).Length == 0, folder + " holds: " + string.Join(", ", Directory.GetFileSystemEntries(folder).Select(Path.GetFileName)));

    [Theory]
    [InlineData(CliProcess.SigInt, ExitCodes.Cancelled)]
    [InlineData(CliProcess.SigTerm, ExitCodes.Terminated)]
    public async Task A_signal_during_a_backup_to_a_folder_removes_every_temporary_file(int signal, int exit)
    {
        var output = NewFolder("out");
        var tmp = NewFolder("tmp");
        await using var proxy = new TcpFaultProxy(_pg.Port);
        proxy.StallAfter(3_000_000);
        var connection = new NpgsqlConnectionStringBuilder(_pg.ConnectionString(Database)) { Port = proxy.Port }.ConnectionString;
        using var cli = CliProcess.Start(ChildEnvironment(tmp), "backup", "--connection", connection, "--name", "src", "--dir", output);

        Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(60)), "the COPY never started\n" + cli);
        Assert.Contains(Directory.GetFiles(output), f => f.Contains(".tmp-", StringComparison.Ordinal));
        cli.Signal(signal);
        proxy.Stalled = false;

        AssertCancelled(cli, await cli.WaitForExitAsync(), exit);
        AssertEmpty(output);
        AssertEmpty(tmp);
    }

    [Fact]
    public async Task Ctrl_C_during_a_backup_to_S3_aborts_its_multipart_uploads_and_publishes_nothing()
    {
        var tmp = NewFolder("tmp");
        var prefix = "int-" + Guid.NewGuid().ToString("N")[..6];
        await using var proxy = TcpFaultProxy.ForHttpEndpoint(_s3.Endpoint);
        proxy.StallOnRequest(line => line.StartsWith("PUT ", StringComparison.Ordinal) && line.Contains("partNumber=", StringComparison.Ordinal));
        using var cli = CliProcess.Start(
            ChildEnvironment(tmp), "backup", "--connection", _pg.ConnectionString(Database), "--name", "src", "--s3", $"s3://{Bucket}/{prefix}", "--s3-endpoint", proxy.HttpEndpoint);

        Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(90)), "no part upload started\n" + cli);
        using var client = _s3.CreateClient();
        var open = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = prefix + "/" });
        Assert.NotEmpty(open.MultipartUploads ?? []);
        cli.Signal(CliProcess.SigInt);
        proxy.Stalled = false;

        AssertCancelled(cli, await cli.WaitForExitAsync(), ExitCodes.Cancelled);
        var left = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = prefix + "/" });
        Assert.Empty(left.MultipartUploads ?? []);
        var objects = await client.ListVersionsAsync(new ListVersionsRequest { BucketName = Bucket, Prefix = prefix + "/" });
        Assert.Empty(objects.Versions ?? []);
        AssertEmpty(tmp);
    }

    [Fact]
    public async Task Ctrl_C_during_a_fetch_deletes_the_partial_download()
    {
        var output = NewFolder("fetched");
        var tmp = NewFolder("tmp");
        // Plain TCP (not the HTTP mode) counts the bytes of the download itself.
        await using var proxy = new TcpFaultProxy(new Uri(_s3.Endpoint).Port);
        proxy.StallAfter(2_000_000);
        using var cli = CliProcess.Start(
            ChildEnvironment(tmp), "fetch", "--s3", $"s3://{Bucket}/store", "--s3-endpoint", proxy.HttpEndpoint, "--name", "src", "--full", "--out", output);

        Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(60)), "the download never started\n" + cli);

        // As in the parallel restore below: the stall can come before a loaded machine has let the CLI open its file.
        await cli.WaitUntilAsync(() => Directory.GetFiles(output).Any(f => f.EndsWith(".partial", StringComparison.Ordinal)), "the .partial download");
        cli.Signal(CliProcess.SigInt);
        proxy.Stalled = false;

        AssertCancelled(cli, await cli.WaitForExitAsync(), ExitCodes.Cancelled);
        AssertEmpty(output);
        AssertEmpty(tmp);
    }

    [Fact]
    public async Task Ctrl_C_during_a_restore_into_an_existing_database_leaves_it_as_it_was()
    {
        const string target = "cli_int_restore";
        await _pg.CreateDatabaseAsync(target);
        await _pg.ExecuteAsync("CREATE TABLE big (id int PRIMARY KEY, a text, b text); INSERT INTO big VALUES (1, 'kept', 'kept'); CREATE TABLE mine (x int); INSERT INTO mine VALUES (42);", target);
        var tmp = NewFolder("tmp");

        // Another session reads "big": the restore's DROP TABLE waits for its lock, mid-restore.
        await using var holder = new NpgsqlConnection(_pg.ConnectionString(target));
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockIt = new NpgsqlCommand("LOCK TABLE big IN ACCESS SHARE MODE", holder, transaction))
        {
            await lockIt.ExecuteNonQueryAsync();
        }

        using var cli = CliProcess.Start(ChildEnvironment(tmp), "restore", "--dir", Store, "--name", "src", "--full", "--to", _pg.ConnectionString(target));
        await cli.WaitUntilAsync(() => WaitingForLock(target), "the restore to wait for the lock on big");
        cli.Signal(CliProcess.SigInt);

        AssertCancelled(cli, await cli.WaitForExitAsync(), ExitCodes.Cancelled);
        await transaction.RollbackAsync();
        Assert.Equal(1L, await _pg.ScalarAsync<long>("SELECT count(*) FROM big", target));
        Assert.Equal(42, await _pg.ScalarAsync<int>("SELECT x FROM mine", target));
        Assert.Equal(0L, await _pg.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'small'", target));
        AssertEmpty(tmp);
    }

    private bool WaitingForLock(string database)
    {
        using var connection = new NpgsqlConnection(_pg.ConnectionString());
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = database });
        return (long)command.ExecuteScalar()! > 0;
    }

    [Fact]
    public async Task Ctrl_C_during_verify_drops_the_scratch_database_and_leaves_the_temp_directory_empty()
    {
        var tmp = NewFolder("tmp");
        var before = await ScratchDatabasesAsync();
        using var cli = CliProcess.Start(ChildEnvironment(tmp), "verify", "--dir", Store, "--name", "src", "--server", _pg.ConnectionString());
        await cli.WaitUntilAsync(() => ScratchDatabasesAsync().GetAwaiter().GetResult().Except(before).Any(), "the scratch database");
        cli.Signal(CliProcess.SigInt);

        AssertCancelled(cli, await cli.WaitForExitAsync(), ExitCodes.Cancelled);
        Assert.Empty((await ScratchDatabasesAsync()).Except(before));
        AssertEmpty(tmp);
    }

    /// <summary>
    /// verify streams every artifact, so a killed one leaves only its scratch database: the next verify drops that, and
    /// still sweeps the download folders a killed verify of an earlier version left in the temp directory.
    /// </summary>
    [Fact]
    public async Task The_next_verify_drops_the_scratch_database_a_killed_verify_left_and_the_download_folders_of_earlier_versions()
    {
        var tmp = NewFolder("tmp");
        var earlier = Directory.CreateDirectory(Path.Combine(tmp, "infinite-backup-verify-0a1b2c")).FullName;
        await File.WriteAllTextAsync(Path.Combine(earlier, TemporaryDirectory.OwnerFileName), "");
        await File.WriteAllBytesAsync(Path.Combine(earlier, "src.gz"), new byte[4096]);
        var before = await ScratchDatabasesAsync();
        using (var killed = CliProcess.Start(ChildEnvironment(tmp), "verify", "--dir", Store, "--name", "src", "--server", _pg.ConnectionString()))
        {
            await killed.WaitUntilAsync(() => ScratchDatabasesAsync().GetAwaiter().GetResult().Except(before).Any(), "the scratch database");

            // Mid-restore: the killed verify has written nothing to the temp directory (the earlier version's folder is
            // unlocked, so its sweep took it already).
            Assert.Empty(Directory.GetFileSystemEntries(tmp, "infinite-backup-*"));
            killed.Signal(CliProcess.SigKill);
            await killed.WaitForExitAsync();
        }

        var left = (await ScratchDatabasesAsync()).Except(before).ToList();
        Assert.NotEmpty(left);
        Directory.CreateDirectory(earlier);
        await File.WriteAllTextAsync(Path.Combine(earlier, TemporaryDirectory.OwnerFileName), "");

        using var next = CliProcess.Start(ChildEnvironment(tmp), "verify", "--dir", Store, "--name", "src", "--server", _pg.ConnectionString(), "--verbose");
        Assert.True(await next.WaitForExitAsync() == 0, next.ToString());
        Assert.Contains($"dropping the scratch database \"{left[0]}\" a killed verify left behind", next.StdErr, StringComparison.Ordinal);
        Assert.Empty((await ScratchDatabasesAsync()).Intersect(left));
        Assert.Empty(Directory.GetFileSystemEntries(tmp, "infinite-backup-*"));
    }

    [Fact]
    public async Task Ctrl_C_during_a_dump_streaming_from_S3_into_pg_restore_stops_it_and_leaves_the_database_as_it_was()
    {
        const string target = "cli_int_piped";
        await _pg.CreateDatabaseAsync(target);
        await _pg.ExecuteAsync("CREATE TABLE big (id int PRIMARY KEY, a text, b text); INSERT INTO big VALUES (1, 'kept', 'kept'); CREATE TABLE mine (x int); INSERT INTO mine VALUES (42);", target);
        var tmp = NewFolder("tmp");
        await using var proxy = new TcpFaultProxy(new Uri(_s3.Endpoint).Port);
        proxy.StallAfter(4_000_000);
        using var cli = CliProcess.Start(
            ChildEnvironment(tmp), "restore", "--s3", $"s3://{Bucket}/store", "--s3-endpoint", proxy.HttpEndpoint, "--name", "src", "--dump", "--to", _pg.ConnectionString(target));

        Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(60)), "the download never started\n" + cli);
        await cli.WaitUntilAsync(() => RestoringInto(target), "pg_restore's session");
        cli.Signal(CliProcess.SigInt);
        proxy.Stalled = false;

        AssertCancelled(cli, await cli.WaitForExitAsync(), ExitCodes.Cancelled);
        Assert.Equal(1L, await _pg.ScalarAsync<long>("SELECT count(*) FROM big", target));
        Assert.Equal(42, await _pg.ScalarAsync<int>("SELECT x FROM mine", target));
        Assert.Equal(0L, await _pg.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'small'", target));
        for (var i = 0; i < 200 && RestoringInto(target); i++)
        {
            await Task.Delay(50); // the killed pg_restore's backend ends as it notices the closed connection
        }

        Assert.False(RestoringInto(target), "pg_restore's session is still there");
        AssertEmpty(tmp);
    }

    [Fact]
    public async Task Ctrl_C_during_the_download_for_a_parallel_dump_restore_removes_the_download_folder_and_creates_no_database()
    {
        const string target = "cli_int_jobs";
        await _pg.ExecuteAsync($"DROP DATABASE IF EXISTS {target}");
        var tmp = NewFolder("tmp");
        await using var proxy = new TcpFaultProxy(new Uri(_s3.Endpoint).Port);
        proxy.StallAfter(2_000_000);
        using var cli = CliProcess.Start(
            ChildEnvironment(tmp), "restore", "--s3", $"s3://{Bucket}/store", "--s3-endpoint", proxy.HttpEndpoint, "--name", "src", "--dump", "--jobs", "2", "--to", _pg.ConnectionString(target), "--create");

        Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(60)), "the download never started\n" + cli);

        // The proxy can stall on bytes still in the socket buffers before a loaded machine has let the CLI open its file.
        await cli.WaitUntilAsync(
            () => Directory.GetFiles(tmp, "*.partial", SearchOption.AllDirectories).Any(f => f.Contains("infinite-backup-restore-", StringComparison.Ordinal)),
            "the download file in the temp directory");
        cli.Signal(CliProcess.SigInt);
        proxy.Stalled = false;

        AssertCancelled(cli, await cli.WaitForExitAsync(), ExitCodes.Cancelled);
        AssertEmpty(tmp);
        Assert.Equal(0L, await _pg.ScalarAsync<long>($"SELECT count(*) FROM pg_database WHERE datname = '{target}'"));
    }

    private bool RestoringInto(string database)
    {
        using var connection = new NpgsqlConnection(_pg.ConnectionString());
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE '% restore %'", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = database });
        return (long)command.ExecuteScalar()! > 0;
    }

    private async Task<List<string>> ScratchDatabasesAsync()
    {
        await using var connection = new NpgsqlConnection(_pg.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'ib_verify_src_%'", connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public async Task The_next_backup_removes_what_a_killed_backup_left_in_the_folder_and_a_backup_leaves_nothing_in_the_temp_directory()
    {
        var output = NewFolder("out");
        var tmp = NewFolder("tmp");
        await using (var proxy = new TcpFaultProxy(_pg.Port))
        {
            proxy.StallAfter(3_000_000);
            var connection = new NpgsqlConnectionStringBuilder(_pg.ConnectionString(Database)) { Port = proxy.Port }.ConnectionString;
            using var killed = CliProcess.Start(ChildEnvironment(tmp), "backup", "--connection", connection, "--name", "src", "--dir", output);
            Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(60)), "the COPY never started\n" + killed);
            killed.Signal(CliProcess.SigKill);
            await killed.WaitForExitAsync();
        }

        Assert.Contains(Directory.GetFiles(output), f => f.Contains(".tmp-", StringComparison.Ordinal));

        // The archive streams into the store: a backup, even a killed one, writes nothing to the temp directory.
        Assert.Empty(Directory.GetFileSystemEntries(tmp, "infinite-backup-*"));

        using var next = CliProcess.Start(ChildEnvironment(tmp), "backup", "--connection", _pg.ConnectionString(Database), "--name", "src", "--dir", output);
        Assert.True(await next.WaitForExitAsync() == 0, next.ToString());
        Assert.DoesNotContain(Directory.GetFiles(output), f => f.Contains(".tmp-", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(output, "src.dump"), Directory.GetFiles(output));

        // The killed runtime's own diagnostics pipes (clr-debug-pipe-*, dotnet-diagnostic-*) are not ours to remove.
        Assert.Empty(Directory.GetFileSystemEntries(tmp, "infinite-backup-*"));
    }
}
