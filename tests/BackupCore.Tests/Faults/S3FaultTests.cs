using System.Diagnostics;
using BackupCli;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Faults;

/// <summary>Faults on the S3 side of a run and in the process itself (issue 10, scenarios 5, 6, 8, 10), through a TCP proxy in front of RGW.</summary>
[Collection(PostgresS3Collection.Name)]
public sealed class S3FaultTests(PostgresServer postgres, S3Server s3) : IAsyncLifetime
{
    private readonly FaultBench _bench = new(postgres, s3, "faults_s3");

    public Task InitializeAsync() => _bench.InitializeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task S3_answering_503_SlowDown_and_500_is_retried_and_the_run_completes_with_correct_objects()
    {
        await using var proxy = TcpFaultProxy.ForHttpEndpoint(s3.Endpoint);
        // The first two requests of the run (the stale-upload listing), one part upload, and the manifest PUT.
        proxy.FailNextRequests(2, 503, "Slow Down", "SlowDown");
        proxy.FailNextRequests(1, 500, "Internal Server Error", "InternalError", FaultBench.IsPartUpload);
        proxy.FailNextRequests(1, 503, "Slow Down", "SlowDown", l => l.StartsWith("PUT ", StringComparison.Ordinal) && l.Contains(".manifest.json", StringComparison.Ordinal));
        var log = new CapturedLog();

        var result = await _bench.BackupAsync("s3retry", options: _bench.Options(proxy.HttpEndpoint), log: log);

        Assert.Equal(4, proxy.CannedResponses);
        await _bench.AssertLatestIsCoherentAsync("s3retry", result.Manifest.RunId);
        Assert.All((await _bench.VersionCountsAsync("s3retry")).Values, c => Assert.Equal(1, c));
        Assert.Equal(0, await _bench.OpenUploadsAsync("s3retry"));
        _bench.AssertNoSecrets(log.Text);
    }

    [Fact]
    public async Task S3_connection_reset_in_the_middle_of_a_part_retries_that_part_and_the_run_completes()
    {
        await using var proxy = TcpFaultProxy.ForHttpEndpoint(s3.Endpoint);
        proxy.ResetOnceAfter(1024 * 1024, FaultBench.IsPartUpload);
        var log = new CapturedLog();

        var result = await _bench.BackupAsync("s3reset", options: _bench.Options(proxy.HttpEndpoint), log: log);

        Assert.Equal(1, proxy.Resets);
        var partOne = proxy.RequestLines.Count(l => FaultBench.IsPartUpload(l) && l.Contains("partNumber=1", StringComparison.Ordinal));
        Assert.True(partOne >= 2, $"part 1 was sent {partOne} time(s); the reset one should have been sent again");
        await _bench.AssertLatestIsCoherentAsync("s3reset", result.Manifest.RunId);
        Assert.Equal(0, await _bench.OpenUploadsAsync("s3reset"));
        _bench.AssertNoSecrets(log.Text);
    }

    [Fact]
    public async Task CLI_killed_in_the_middle_of_an_upload_leaves_the_previous_backup_latest_and_the_next_run_cleans_up()
    {
        // The CLI's first part is 8 MiB: one more table makes the plain dump's gzip (~15 MB) a multipart upload.
        await postgres.ExecuteAsync("CREATE TABLE c_kill AS SELECT i AS id, md5(i::text) AS x, md5((i * 3)::text) AS y FROM generate_series(1, 300000) i", _bench.Database);
        try
        {
            await KilledRunAsync();
        }
        finally
        {
            await postgres.ExecuteAsync("DROP TABLE c_kill", _bench.Database);
        }
    }

    private async Task KilledRunAsync()
    {
        var good = await _bench.BackupAsync("killed");
        var before = await _bench.VersionCountsAsync("killed");
        await using var proxy = TcpFaultProxy.ForHttpEndpoint(s3.Endpoint);
        proxy.StallOnRequest(FaultBench.IsPartUpload);

        var cli = Path.Combine(AppContext.BaseDirectory, "infinite-backup.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { cli, "backup", "--connection", _bench.ConnectionString(), "--name", "killed", "--s3", $"s3://{_bench.Bucket}/db", "--s3-endpoint", proxy.HttpEndpoint },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AWS_ACCESS_KEY_ID"] = s3.AccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = s3.SecretKey;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            for (var i = 0; i < 1800 && !proxy.Stalled && !process.HasExited; i++)
            {
                await Task.Delay(100);
            }

            var early = process.HasExited ? await stderr + await stdout : "";
            Assert.True(proxy.Stalled, $"the CLI never sent a part (exited: {process.HasExited}) {early}");
        }
        finally
        {
            // SIGKILL: no finally blocks, no abort of the multipart upload.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            proxy.Stalled = false;
        }

        await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode != 0, "the CLI finished before it was killed: " + await stdout + await stderr);
        _bench.AssertNoSecrets(await stdout, await stderr);
        Assert.Equal(before, await _bench.VersionCountsAsync("killed"));
        await _bench.AssertLatestIsCoherentAsync("killed", good.Manifest.RunId);
        Assert.True(await _bench.OpenUploadsAsync("killed") >= 1, "the killed run should have left its multipart upload open");

        // The next run aborts this target's uploads older than StaleUploadAge (zero here: all of them).
        var options = _bench.Options();
        options.StaleUploadAge = TimeSpan.Zero;
        var log = new CapturedLog();
        var next = await _bench.BackupAsync("killed", options: options, log: log);
        await _bench.AssertLatestIsCoherentAsync("killed", next.Manifest.RunId);
        Assert.Equal(0, await _bench.OpenUploadsAsync("killed"));
        Assert.All((await _bench.VersionCountsAsync("killed")).Values, c => Assert.Equal(2, c));
    }

    [Fact]
    public async Task Two_CLI_runs_of_one_target_at_once_never_both_write_the_second_fails_naming_the_lock()
    {
        var folder = Directory.CreateTempSubdirectory("ib-faults-concurrent-");
        try
        {
            await using var proxy = new TcpFaultProxy(postgres.Port);
            proxy.StallAfter(2 * 1024 * 1024);
            var firstOut = new StringWriter();
            var firstErr = new StringWriter();
            var first = CliApp.RunAsync(["backup", "--connection", _bench.ConnectionString(proxy.Port), "--name", "concurrent", "--dir", folder.FullName], firstOut, firstErr);
            Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(120)), "the first run's COPY never reached 2 MB: " + firstErr);

            var secondOut = new StringWriter();
            var secondErr = new StringWriter();
            var second = await CliApp.RunAsync(["backup", "--connection", _bench.ConnectionString(), "--name", "concurrent", "--dir", folder.FullName], secondOut, secondErr);
            proxy.Stalled = false;

            Assert.NotEqual(0, second);
            Assert.Contains("another backup of this target is running", secondErr.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, await first.WaitAsync(TimeSpan.FromSeconds(120)));
            _bench.AssertNoSecrets(firstOut.ToString(), firstErr.ToString(), secondOut.ToString(), secondErr.ToString());

            var store = new LocalFolderStore(folder.FullName);
            var versions = await store.ListVersionsAsync("concurrent", CancellationToken.None);
            Assert.Single(versions);

            // With the first run finished, the lock is free again.
            Assert.Equal(0, await CliApp.RunAsync(["backup", "--connection", _bench.ConnectionString(), "--name", "concurrent", "--dir", folder.FullName], new StringWriter(), new StringWriter()));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
