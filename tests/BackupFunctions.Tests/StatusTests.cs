using System.Text.Json;
using BackupCore.Scheduling;
using BackupFunctions.Functions;
using BackupFunctions.Tests.Fixtures;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// <c>GET /api/status</c> (issue 10): the age of each target's last good backup, read from the store's latest
/// manifest, against <c>Backup:StaleAfterHours</c>: 200 when all are fresh, 503 when any is stale or never published.
/// </summary>
[Collection(FunctionsCollection.Name)]
public sealed class StatusTests(PostgresServer pg, AzuriteServer azurite) : IAsyncLifetime
{
    private const string Database = "fn_status";

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

    private static async Task<string> BackUpAsync(TestApp app)
    {
        var report = await app.Function<NightlyBackupFunction>().RunAsync(new TimerInfo(), CancellationToken.None);
        await new QueuePump(app).DrainAsync();
        return report.RunId;
    }

    private static async Task<(int Status, JsonElement Body)> StatusAsync(TestApp app) =>
        Http.Read(await app.Function<StatusHttpFunction>().GetAsync(Http.Request("GET", "/api/status"), CancellationToken.None));

    private static JsonElement Target(JsonElement body, string name) =>
        body.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("target").GetString() == name);

    [Fact]
    public async Task Status_answers_200_with_each_targets_age_and_last_verification_when_every_backup_is_fresh()
    {
        await using var app = App("sf");
        var runId = await BackUpAsync(app);
        var verification = await app.Services.GetRequiredService<VerificationRunner>().VerifyAsync("sf-prod", "http", CancellationToken.None);
        Assert.True(verification.Passed, verification.Error);

        var (status, body) = await StatusAsync(app);

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("healthy").GetBoolean());
        Assert.Equal(26, body.GetProperty("staleAfterHours").GetDouble());
        foreach (var name in new[] { "sf-prod", "sf-staging" })
        {
            var target = Target(body, name);
            Assert.False(target.GetProperty("stale").GetBoolean());
            Assert.InRange(target.GetProperty("ageSeconds").GetInt64(), 0, 600);
            Assert.Equal(runId, target.GetProperty("runId").GetString());
            Assert.StartsWith("folder ", target.GetProperty("store").GetString(), StringComparison.Ordinal);
            var at = target.GetProperty("lastGoodBackupAt").GetDateTimeOffset();
            Assert.InRange(at, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow);
        }

        var last = Target(body, "sf-prod").GetProperty("lastVerification");
        Assert.True(last.GetProperty("passed").GetBoolean());
        Assert.Equal(runId, last.GetProperty("backupRunId").GetString());
        Assert.False(Target(body, "sf-staging").TryGetProperty("lastVerification", out _), "staging was never verified");
    }

    [Fact]
    public async Task Status_answers_503_once_the_last_good_backup_is_older_than_the_threshold()
    {
        // 0.0003 hours = 1.08 s.
        await using var app = App("ss", new() { ["Backup:StaleAfterHours"] = "0.0003" });
        await BackUpAsync(app);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var (status, body) = await StatusAsync(app);

        Assert.Equal(503, status);
        Assert.False(body.GetProperty("healthy").GetBoolean());
        foreach (var name in new[] { "ss-prod", "ss-staging" })
        {
            var target = Target(body, name);
            Assert.True(target.GetProperty("stale").GetBoolean());
            Assert.True(target.GetProperty("ageSeconds").GetInt64() >= 1);
            Assert.True(target.TryGetProperty("lastGoodBackupAt", out _));
        }
    }

    [Fact]
    public async Task Status_answers_503_naming_a_target_that_never_had_a_good_backup()
    {
        await using var app = App("sn", badDatabaseForStaging: "fn_status_missing");
        await BackUpAsync(app);

        var (status, body) = await StatusAsync(app);

        Assert.Equal(503, status);
        Assert.False(Target(body, "sn-prod").GetProperty("stale").GetBoolean());
        var staging = Target(body, "sn-staging");
        Assert.True(staging.GetProperty("stale").GetBoolean());
        Assert.Equal("no backup has been published yet", staging.GetProperty("error").GetString());
        Assert.False(staging.TryGetProperty("lastGoodBackupAt", out _));
        Assert.False(staging.TryGetProperty("ageSeconds", out _));
    }

    [Fact]
    public async Task Status_comes_from_the_store_so_it_survives_the_loss_of_the_run_table()
    {
        await using var app = App("sl");
        var runId = await BackUpAsync(app);

        // A new app on the same folder with empty run and verification tables (a lost or replaced storage account).
        await using var fresh = App("sl2", new()
        {
            ["Backup:Targets:0:Name"] = "sl-prod",
            ["Backup:Targets:1:Name"] = "sl-staging",
            ["Backup:LocalFolder:Path"] = app.BackupDir,
        });
        var (status, body) = await StatusAsync(fresh);

        Assert.Equal(200, status);
        Assert.Equal(runId, Target(body, "sl-prod").GetProperty("runId").GetString());
    }
}
