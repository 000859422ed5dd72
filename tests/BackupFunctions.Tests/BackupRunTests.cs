using System.Security.Cryptography;
using System.Text.Json;
using BackupCore.Scheduling;
using BackupCore.Storage;
using BackupFunctions.Functions;
using BackupFunctions.Tests.Fixtures;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Tests;

/// <summary>
/// The functions end to end on real servers (PostgreSQL, Azurite, the local folder store), called the way the
/// host calls them; <see cref="QueuePump"/> plays the host's queue listener.
/// </summary>
[Collection(FunctionsCollection.Name)]
public sealed class BackupRunTests(PostgresServer pg, AzuriteServer azurite) : IAsyncLifetime
{
    private const string Database = "fn_runs";

    public Task InitializeAsync() => SampleDatabase.CreateAsync(pg, Database);

    public Task DisposeAsync() => Task.CompletedTask;

    private TestApp App(string prefix, Dictionary<string, string?>? extra = null, string badDatabaseForStaging = "")
    {
        var settings = SampleDatabase.Targets(pg, Database, prefix, badDatabaseForStaging);
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        var app = TestApp.Create(azurite, prefix, settings);
        app.Validate();
        return app;
    }

    private static async Task<(int Status, JsonElement Body, string? Location)> PostAsync(BackupsHttpFunction http, string? body = null, string query = "")
    {
        var request = Http.Request("POST", "/api/backups", query, body);
        var (status, json) = Http.Read(await http.StartAsync(request, CancellationToken.None));
        return (status, json, request.HttpContext.Response.Headers.Location.ToString());
    }

    private static async Task<(int Status, JsonElement Body)> GetAsync(BackupsHttpFunction http, string runId) =>
        Http.Read(await http.GetAsync(Http.Request("GET", "/api/backups/" + runId), runId, CancellationToken.None));

    private static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string PathOf(TestApp app, string key) => Path.IsPathRooted(key) ? key : Path.Combine(app.BackupDir, key);

    /// <summary>Every artifact recorded for the target is in the folder with the recorded size and SHA-256.</summary>
    private static void AssertPublished(TestApp app, TargetRun target)
    {
        Assert.Equal(RunState.Succeeded, target.State);
        Assert.Contains(target.Artifacts, a => a.Kind == ArtifactKind.Plain);
        foreach (var a in target.Artifacts)
        {
            var path = PathOf(app, a.Key);
            Assert.True(File.Exists(path), "missing artifact " + path);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(a.Size, bytes.Length);

            // The streamed archive's header + TOC (written last) is hashed on its own, the rest separately.
            var headLength = (int)(a.Head?.Length ?? 0);
            Assert.Equal(a.Kind == ArtifactKind.Archive, a.Head is not null);
            Assert.Equal(a.Head?.Sha256, a.Head is null ? null : Sha256Of(bytes[..headLength]));
            Assert.Equal(a.Sha256, Sha256Of(bytes[headLength..]));
        }

        Assert.True(File.Exists(Path.Combine(app.BackupDir, target.Target + ".manifest.json")), "no manifest for " + target.Target);
    }

    [Fact]
    public async Task Nightly_timer_backs_up_every_target_end_to_end()
    {
        await using var app = App("tm");
        var timer = app.Function<NightlyBackupFunction>();

        var report = await timer.RunAsync(new TimerInfo { IsPastDue = true }, CancellationToken.None);
        Assert.Equal(RunState.Queued, report.State);
        Assert.Equal(["tm-prod", "tm-staging"], report.Targets.Select(t => t.Target));
        Assert.Equal("timer", report.Trigger);

        var pump = new QueuePump(app);
        await pump.DrainAsync();
        Assert.Equal(2, pump.Delivered);
        Assert.Equal(0, pump.Failed);

        var run = await app.Scheduler.GetAsync(report.RunId, CancellationToken.None);
        Assert.Equal(RunState.Succeeded, run!.State);
        Assert.NotNull(run.FinishedAt);
        foreach (var target in run.Targets)
        {
            AssertPublished(app, target);
            Assert.Equal(1, target.Attempts);
        }

        Assert.Equal(50, run.Find("tm-prod")!.Rows);
        Assert.Equal(20, run.Find("tm-staging")!.Rows);
        var manifest = BackupManifest.FromJson(File.ReadAllBytes(Path.Combine(app.BackupDir, "tm-prod.manifest.json")), "tm-prod");
        Assert.Equal(report.RunId, manifest.RunId);
        Assert.Equal(["prod"], manifest.Schemas);
    }

    [Fact]
    public async Task Post_answers_202_with_a_location_and_get_reports_success_once_the_worker_ran()
    {
        await using var app = App("po");
        var http = app.Function<BackupsHttpFunction>();

        var (status, body, location) = await PostAsync(http, """{"targets": ["po-prod"], "reason": "deploy 4f2c1e9"}""");
        Assert.Equal(202, status);
        var runId = body.GetProperty("runId").GetString()!;
        Assert.Equal("http://localhost:7071/api/backups/" + runId, location);
        Assert.Equal("queued", body.GetProperty("state").GetString());
        Assert.False(body.GetProperty("coalesced").GetBoolean());

        var (queuedStatus, queued) = await GetAsync(http, runId);
        Assert.Equal(200, queuedStatus);
        Assert.Equal("queued", queued.GetProperty("state").GetString());

        await new QueuePump(app).DrainAsync();

        var (doneStatus, done) = await GetAsync(http, runId);
        Assert.Equal(200, doneStatus);
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        var target = done.GetProperty("targets").EnumerateArray().Single();
        Assert.Equal("po-prod", target.GetProperty("target").GetString());
        var artifact = target.GetProperty("artifacts").EnumerateArray().First();
        Assert.Matches("^[0-9a-f]{64}$", artifact.GetProperty("sha256").GetString());
        Assert.True(artifact.GetProperty("size").GetInt64() > 0);
        Assert.False(File.Exists(Path.Combine(app.BackupDir, "po-staging.gz")), "a target that was not asked for was backed up");

        var manifest = BackupManifest.FromJson(File.ReadAllBytes(Path.Combine(app.BackupDir, "po-prod.manifest.json")), "po-prod");
        Assert.Equal("deploy 4f2c1e9", manifest.Reason);
    }

    [Fact]
    public async Task Post_with_wait_answers_200_with_the_final_report_when_the_run_succeeds()
    {
        await using var app = App("ws");
        var http = app.Function<BackupsHttpFunction>();
        var pump = new QueuePump(app);

        var post = PostAsync(http, """{"targets": ["ws-staging"]}""", "?wait=60");
        while (!post.IsCompleted)
        {
            await pump.DrainAsync();
            await Task.Delay(100);
        }

        var (status, body, _) = await post;
        Assert.Equal(200, status);
        Assert.Equal("succeeded", body.GetProperty("state").GetString());
        Assert.True(body.TryGetProperty("finishedAt", out _));
    }

    [Fact]
    public async Task Post_with_wait_answers_500_with_the_reason_when_the_run_fails()
    {
        await using var app = App("wf", badDatabaseForStaging: "fn_no_such_database");
        var http = app.Function<BackupsHttpFunction>();
        var pump = new QueuePump(app);

        var post = PostAsync(http, """{"targets": ["wf-staging"]}""", "?wait=60");
        while (!post.IsCompleted)
        {
            await pump.DrainAsync();
            await Task.Delay(100);
        }

        var (status, body, _) = await post;
        Assert.Equal(500, status);
        Assert.Equal("failed", body.GetProperty("state").GetString());
        var target = body.GetProperty("targets").EnumerateArray().Single();
        Assert.Equal(BackupQueueFunction.MaxDequeueCount, target.GetProperty("attempts").GetInt32());
        Assert.Contains("database \"fn_no_such_database\" does not exist", target.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(BackupQueueFunction.MaxDequeueCount, pump.Failed);
        Assert.Empty(Directory.Exists(app.BackupDir) ? Directory.GetFiles(app.BackupDir) : []);
    }

    [Fact]
    public async Task Post_with_wait_answers_202_while_the_run_is_still_queued()
    {
        await using var app = App("wq");
        var http = app.Function<BackupsHttpFunction>();

        var (status, body, location) = await PostAsync(http, null, "?wait=1");
        Assert.Equal(202, status);
        Assert.Equal("queued", body.GetProperty("state").GetString());
        Assert.EndsWith(body.GetProperty("runId").GetString()!, location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_post_for_a_target_under_way_gets_the_same_run()
    {
        await using var app = App("co");
        var http = app.Function<BackupsHttpFunction>();
        var pump = new QueuePump(app);

        var (_, first, _) = await PostAsync(http, """{"targets": ["co-prod"]}""");
        var (status, second, location) = await PostAsync(http, """{"targets": ["co-prod"], "reason": "second deploy"}""");

        Assert.Equal(202, status);
        Assert.Equal(first.GetProperty("runId").GetString(), second.GetProperty("runId").GetString());
        Assert.True(second.GetProperty("coalesced").GetBoolean());
        Assert.EndsWith(first.GetProperty("runId").GetString()!, location, StringComparison.Ordinal);
        Assert.Equal(1, await pump.CountAsync());

        await pump.DrainAsync();
        Assert.Equal(1, pump.Delivered);

        // Once that run finished, the next request is a new run.
        var (_, third, _) = await PostAsync(http, """{"targets": ["co-prod"]}""");
        Assert.NotEqual(first.GetProperty("runId").GetString(), third.GetProperty("runId").GetString());
        Assert.False(third.GetProperty("coalesced").GetBoolean());
    }

    [Fact]
    public async Task Timer_and_post_at_the_same_time_never_dump_one_target_twice()
    {
        await using var app = App("tp");
        var http = app.Function<BackupsHttpFunction>();
        var timer = app.Function<NightlyBackupFunction>();
        var pump = new QueuePump(app);

        var nightly = timer.RunAsync(new TimerInfo(), CancellationToken.None);
        var deploy = PostAsync(http, """{"targets": ["tp-prod"]}""");
        await Task.WhenAll(nightly, deploy);

        // Whichever came second joined the first for tp-prod: one message per target, not three.
        Assert.Equal(2, await pump.CountAsync());
        await pump.DrainAsync();
        Assert.Equal(2, pump.Delivered);

        var timerRun = await app.Scheduler.GetAsync((await nightly).RunId, CancellationToken.None);
        var deployRun = await app.Scheduler.GetAsync((await deploy).Body.GetProperty("runId").GetString()!, CancellationToken.None);
        Assert.Equal(RunState.Succeeded, timerRun!.State);
        Assert.Equal(RunState.Succeeded, deployRun!.State);
        Assert.Equal(timerRun.Find("tp-prod")!.Artifacts, deployRun.Find("tp-prod")!.Artifacts);
        // Either the deploy joined the timer's run outright, or the timer's run follows the deploy's run for tp-prod.
        Assert.True(
            timerRun.RunId == deployRun.RunId || timerRun.Find("tp-prod")!.CoalescedInto == deployRun.RunId,
            $"timer run {timerRun.RunId}, deploy run {deployRun.RunId}, coalesced into {timerRun.Find("tp-prod")!.CoalescedInto}");
    }

    [Fact]
    public async Task Target_locked_by_another_dump_is_not_dumped_until_it_is_free()
    {
        await using var app = App("lk", new() { ["Backup:LockTimeoutSeconds"] = "1" });
        var http = app.Function<BackupsHttpFunction>();
        var pump = new QueuePump(app);
        var (_, body, _) = await PostAsync(http, """{"targets": ["lk-prod"]}""");
        var runId = body.GetProperty("runId").GetString()!;

        // Another process (the CLI, another instance) is dumping lk-prod: it holds the advisory lock.
        await using (var other = new Npgsql.NpgsqlConnection(pg.ConnectionString(Database)))
        {
            await other.OpenAsync();
            await using (var cmd = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(hashtext('infinite-backup:lk-prod'))", other))
            {
                await cmd.ExecuteScalarAsync();
            }

            Assert.True(await pump.DeliverOneAsync());
            Assert.Equal(1, pump.Failed);
            var waiting = (await app.Scheduler.GetAsync(runId, CancellationToken.None))!.Find("lk-prod")!;
            Assert.Equal(RunState.Queued, waiting.State);
            Assert.Contains("another backup of this target is running", waiting.Error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(app.BackupDir) && Directory.EnumerateFileSystemEntries(app.BackupDir).Any(), "a dump started while the target was locked");
            await using var unlock = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('infinite-backup:lk-prod'))", other);
            Assert.True((bool)(await unlock.ExecuteScalarAsync())!);
        }

        await pump.DrainAsync();
        var done = (await app.Scheduler.GetAsync(runId, CancellationToken.None))!.Find("lk-prod")!;
        AssertPublished(app, done);
        Assert.Equal(2, done.Attempts);
    }

    [Fact]
    public async Task Poison_message_marks_the_target_failed_and_frees_it_for_the_next_request()
    {
        await using var app = App("pz");
        var http = app.Function<BackupsHttpFunction>();
        var pump = new QueuePump(app);
        var (_, body, _) = await PostAsync(http, """{"targets": ["pz-prod"]}""");
        var runId = body.GetProperty("runId").GetString()!;

        // Every worker died before recording anything; the host moved the message to the poison queue.
        var message = (await app.Queue.ReceiveMessageAsync()).Value;
        await app.PoisonQueue.SendMessageAsync(message.MessageText);
        await app.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        Assert.True(await pump.DeliverPoisonAsync());

        var (_, failed) = await GetAsync(http, runId);
        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Contains("gave up after", failed.GetProperty("targets")[0].GetProperty("error").GetString(), StringComparison.Ordinal);

        var (_, next, _) = await PostAsync(http, """{"targets": ["pz-prod"]}""");
        Assert.NotEqual(runId, next.GetProperty("runId").GetString());
        Assert.False(next.GetProperty("coalesced").GetBoolean());
    }

    [Fact]
    public async Task Unknown_run_answers_404_and_unconfigured_target_or_bad_wait_answers_400()
    {
        await using var app = App("er");
        var http = app.Function<BackupsHttpFunction>();

        var (notFound, _) = await GetAsync(http, "20260101T000000Z-abcdef");
        Assert.Equal(404, notFound);

        var (badTarget, error, _) = await PostAsync(http, """{"targets": ["er-nope"]}""");
        Assert.Equal(400, badTarget);
        Assert.Contains("target er-nope is not configured (configured: er-prod, er-staging)", error.GetProperty("error").GetString(), StringComparison.Ordinal);

        var (badWait, _, _) = await PostAsync(http, null, "?wait=201");
        Assert.Equal(400, badWait);

        var (badJson, _, _) = await PostAsync(http, "{targets: nope");
        Assert.Equal(400, badJson);
        Assert.Equal(0, await new QueuePump(app).CountAsync());
    }

    [Fact]
    public async Task List_returns_the_newest_runs_first()
    {
        await using var app = App("ls");
        var http = app.Function<BackupsHttpFunction>();
        var ids = new List<string>();
        foreach (var target in new[] { "ls-prod", "ls-staging", "ls-prod" })
        {
            var (_, body, _) = await PostAsync(http, $$"""{"targets": ["{{target}}"]}""");
            ids.Add(body.GetProperty("runId").GetString()!);
            await new QueuePump(app).DrainAsync();
        }

        var (status, list) = Http.Read(await http.ListAsync(Http.Request("GET", "/api/backups", "?last=2"), CancellationToken.None));
        Assert.Equal(200, status);
        Assert.Equal([ids[2], ids[1]], list.EnumerateArray().Select(r => r.GetProperty("runId").GetString()));
    }
}
