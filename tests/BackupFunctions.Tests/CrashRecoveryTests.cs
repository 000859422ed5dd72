using BackupCore.Scheduling;
using BackupCore.Storage;
using BackupFunctions.Functions;
using BackupFunctions.Tests.Fixtures;

namespace BackupFunctions.Tests;

/// <summary>
/// A worker that dies in the middle of a dump: its message comes back, the next attempt starts over, and the
/// interrupted attempt never published anything (the store commits artifacts and manifest only at the end).
/// </summary>
[Collection(FunctionsCollection.Name)]
public sealed class CrashRecoveryTests(PostgresServer pg, AzuriteServer azurite) : IAsyncLifetime
{
    private const string Database = "fn_crash";

    // Big enough that the dump is still writing when the test sees its first temporary file.
    public Task InitializeAsync() => SampleDatabase.CreateAsync(pg, Database, extraRows: 400_000);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Message_redelivered_after_a_crash_backs_up_again_and_the_crash_published_nothing()
    {
        await using var app = TestApp.Create(azurite, "cr", SampleDatabase.Targets(pg, Database, "cr"));
        app.Validate();
        var http = app.Function<BackupsHttpFunction>();
        var pump = new QueuePump(app);
        var (status, body) = Http.Read(await http.StartAsync(Http.Request("POST", "/api/backups", "", """{"targets": ["cr-prod"]}"""), CancellationToken.None));
        Assert.Equal(202, status);
        var runId = body.GetProperty("runId").GetString()!;

        using var crash = new CancellationTokenSource();
        var delivery = pump.DeliverOneAsync(crash.Token);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!(Directory.Exists(app.BackupDir) && Directory.EnumerateFiles(app.BackupDir).Any()))
        {
            Assert.False(delivery.IsCompleted, "the dump ended before the crash could happen: " + delivery.Exception?.GetBaseException().Message);
            Assert.True(DateTime.UtcNow < deadline, "no artifact was ever started");
            await Task.Delay(10);
        }

        crash.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery);

        // Nothing under a final name, no manifest, no temporary files left.
        Assert.Empty(Directory.EnumerateFiles(app.BackupDir));
        var interrupted = (await app.Scheduler.GetAsync(runId, CancellationToken.None))!.Find("cr-prod")!;
        Assert.Equal(RunState.Running, interrupted.State);
        Assert.Equal(1, interrupted.Attempts);

        await pump.DrainAsync();
        var done = (await app.Scheduler.GetAsync(runId, CancellationToken.None))!.Find("cr-prod")!;
        Assert.Equal(RunState.Succeeded, done.State);
        Assert.Equal(2, done.Attempts);
        Assert.Equal(400_050, done.Rows);
        var manifest = BackupManifest.FromJson(File.ReadAllBytes(Path.Combine(app.BackupDir, "cr-prod.manifest.json")), "cr-prod");
        Assert.Equal(runId, manifest.RunId);
        foreach (var a in done.Artifacts)
        {
            var path = Path.IsPathRooted(a.Key) ? a.Key : Path.Combine(app.BackupDir, a.Key);
            Assert.Equal(a.Size, new FileInfo(path).Length);
        }
    }
}
