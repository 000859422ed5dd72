using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.Faults;

/// <summary>Faults on the database side of a run (issue 10, scenarios 1, 2, 4, 12), through a TCP proxy where timing matters.</summary>
[Collection(PostgresS3Collection.Name)]
public sealed class PostgresFaultTests(PostgresServer postgres, S3Server s3) : IAsyncLifetime
{
    private readonly FaultBench _bench = new(postgres, s3, "faults_pg");

    public Task InitializeAsync() => _bench.InitializeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Connection_reset_in_the_middle_of_a_COPY_fails_naming_the_table_and_publishes_nothing()
    {
        var good = await _bench.BackupAsync("pgreset");
        var before = await _bench.VersionCountsAsync("pgreset");
        await using var proxy = new TcpFaultProxy(postgres.Port);
        var log = new CapturedLog();

        // 3 MB into the server's replies: well inside a_big's 14 MB COPY, after the catalog queries.
        proxy.ResetOnceAfter(3 * 1024 * 1024);
        var ex = await Assert.ThrowsAsync<BackupException>(() => _bench.BackupAsync("pgreset", _bench.ConnectionString(proxy.Port), log: log));

        Assert.Equal(1, proxy.Resets);
        Assert.Contains("\"public\".\"a_big\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("COPY failed", ex.Message, StringComparison.Ordinal);
        await _bench.AssertNothingPublishedAsync("pgreset", good.Manifest.RunId, before);
        Assert.Contains("failed", log.Text, StringComparison.Ordinal);
        _bench.AssertNoSecrets(ex.ToString(), log.Text);
    }

    [Fact]
    public async Task Server_restarted_during_the_run_fails_clearly_publishes_nothing_and_the_next_run_succeeds()
    {
        var good = await _bench.BackupAsync("pgrestart");
        var before = await _bench.VersionCountsAsync("pgrestart");
        await using var proxy = new TcpFaultProxy(postgres.Port);
        var log = new CapturedLog();

        // Hold the COPY after 2 MB (the server blocks on a full socket), restart the server under it, then let the bytes go.
        proxy.StallAfter(2 * 1024 * 1024);
        var run = _bench.BackupAsync("pgrestart", _bench.ConnectionString(proxy.Port), log: log);
        Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(120)), "the run's COPY never reached 2 MB");
        await postgres.RestartAsync();
        proxy.Stalled = false;

        var ex = await Assert.ThrowsAsync<BackupException>(() => run);
        Assert.Contains("\"public\".\"a_big\"", ex.Message, StringComparison.Ordinal);
        await _bench.AssertNothingPublishedAsync("pgrestart", good.Manifest.RunId, before);
        _bench.AssertNoSecrets(ex.ToString(), log.Text);

        var next = await _bench.BackupAsync("pgrestart");
        await _bench.AssertLatestIsCoherentAsync("pgrestart", next.Manifest.RunId);
        Assert.All((await _bench.VersionCountsAsync("pgrestart")).Values, c => Assert.Equal(2, c));
    }

    [Fact]
    public async Task DDL_on_a_dumped_table_waits_for_the_run_and_the_dump_shows_the_snapshot()
    {
        await using var proxy = new TcpFaultProxy(postgres.Port);
        proxy.StallAfter(2 * 1024 * 1024);
        var run = _bench.BackupAsync("ddl", _bench.ConnectionString(proxy.Port));
        Assert.True(await proxy.WaitUntilStalledAsync(TimeSpan.FromSeconds(120)), "the run's COPY never reached 2 MB");
        Task? alter = null;
        try
        {
            // A row committed after the snapshot (ROW EXCLUSIVE does not conflict with the run's ACCESS SHARE) ...
            await postgres.ExecuteAsync("INSERT INTO b_small VALUES (3, 'late@example.com')", _bench.Database);
            // ... and DDL, which needs ACCESS EXCLUSIVE: it must wait for the run.
            alter = postgres.ExecuteAsync("ALTER TABLE b_small ADD COLUMN late int DEFAULT 7", _bench.Database);
            var waiting = false;
            for (var i = 0; i < 200 && !waiting; i++)
            {
                await Task.Delay(50);
                waiting = await postgres.ScalarAsync<bool>(
                    "SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE b_small%' AND wait_event_type = 'Lock'", _bench.Database);
            }

            Assert.True(waiting, "ALTER TABLE did not wait for the backup's lock");
            Assert.False(alter.IsCompleted);
            proxy.Stalled = false;

            var result = await run;
            await alter.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(2, result.Manifest.Tables.Single(t => t.Table == "b_small").Rows);
            Assert.Equal(200000, result.Manifest.Tables.Single(t => t.Table == "a_big").Rows);
            var sql = await _bench.PlainSqlAsync(await _bench.AssertLatestIsCoherentAsync("ddl", result.Manifest.RunId));
            Assert.Contains("COPY public.b_small (id, email) FROM stdin;", sql, StringComparison.Ordinal);
            Assert.DoesNotContain("late", sql, StringComparison.Ordinal);
        }
        finally
        {
            proxy.Stalled = false;
            if (alter is not null)
            {
                await alter.WaitAsync(TimeSpan.FromSeconds(60));
            }

            await postgres.ExecuteAsync("ALTER TABLE b_small DROP COLUMN IF EXISTS late; DELETE FROM b_small WHERE id = 3", _bench.Database);
        }
    }

    [Fact]
    public async Task Wrong_database_password_fails_naming_the_role_and_never_shows_a_password()
    {
        const string Wrong = "wrong-pw-do-not-print";
        var log = new CapturedLog();
        var ex = await Assert.ThrowsAsync<BackupException>(() => _bench.BackupAsync("badpw", _bench.ConnectionString(password: Wrong), log: log));
        Assert.Contains($"authentication failed for role \"{FaultBench.Role}\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_bench.Database, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, log.Text, StringComparison.Ordinal);
        _bench.AssertNoSecrets(ex.ToString(), log.Text);
        Assert.Empty(await _bench.VersionCountsAsync("badpw"));
    }

    [Fact]
    public async Task Wrong_AWS_secret_fails_naming_the_credentials_and_the_logs_never_show_it()
    {
        const string Wrong = "wrong-aws-secret-do-not-print";
        var options = _bench.Options();
        options.SecretAccessKey = Wrong;
        var log = new CapturedLog();
        var ex = await Assert.ThrowsAsync<BackupException>(() => _bench.BackupAsync("badaws", options: options, log: log));
        Assert.Contains("credentials", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, log.Text, StringComparison.Ordinal);
        Assert.Contains("badaws", log.Text, StringComparison.Ordinal);
        _bench.AssertNoSecrets(ex.ToString(), log.Text);
        Assert.Empty(await _bench.VersionCountsAsync("badaws"));
        Assert.Equal(0, await _bench.OpenUploadsAsync("badaws"));
    }
}
