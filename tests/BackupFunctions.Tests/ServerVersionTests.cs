using BackupCore.Scheduling;
using BackupFunctions.Functions;
using BackupFunctions.Tests.Fixtures;

namespace BackupFunctions.Tests;

/// <summary>
/// A target on a server the engine cannot back up (a real PostgreSQL 12): the queue run is recorded failed at the first
/// attempt with the one-line version message, since another attempt would meet the same server, and nothing is published.
/// </summary>
[Collection(FunctionsCollection.Name)]
public sealed class ServerVersionTests(AzuriteServer azurite, Postgres12Server pg12) : IClassFixture<Postgres12Server>
{
    [Fact]
    public async Task A_target_on_PostgreSQL_12_is_recorded_failed_at_once_with_the_version_message_and_publishes_nothing()
    {
        const string database = "fn_v12";
        await SampleDatabase.CreateAsync(pg12, database);
        var version = await pg12.ScalarAsync<string>("SHOW server_version");
        var folder = Directory.CreateTempSubdirectory("ib-fn-v12-").FullName;
        var settings = SampleDatabase.Targets(pg12, database, "v12");
        settings["Backup:LocalFolder:Path"] = folder;
        await using var app = TestApp.Create(azurite, "v12" + Guid.NewGuid().ToString("N")[..4], settings);
        app.Validate();

        var (_, body) = Http.Read(await app.Function<BackupsHttpFunction>().StartAsync(
            Http.Request("POST", "/api/backups", "", """{"targets": ["v12-prod"]}"""), CancellationToken.None));
        var pump = new QueuePump(app);
        await pump.DrainAsync();
        var run = await app.Scheduler.GetAsync(body.GetProperty("runId").GetString()!, CancellationToken.None);
        var target = run!.Targets.Single();

        Assert.Equal(RunState.Failed, target.State);
        Assert.Equal(1, target.Attempts);
        Assert.Equal($"database \"{database}\": PostgreSQL {version} is not supported; supported servers are PostgreSQL 13 to 18", target.Error);
        Assert.Empty(target.Artifacts);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
        Directory.Delete(folder, recursive: true);
    }
}
