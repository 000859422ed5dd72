using System.Text.Json;
using Azure.Core;
using BackupCore;
using BackupCore.Azure;
using BackupCore.Scheduling;
using BackupFunctions.Functions;
using BackupFunctions.Tests.Fixtures;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// The weekly verification (issue 7): <see cref="WeeklyVerifyFunction"/> restores each target's latest backup into a
/// scratch database on the real PostgreSQL and records the result in Table storage (Azurite), which
/// <c>GET /api/verifications</c> serves.
/// </summary>
[Collection(FunctionsCollection.Name)]
public sealed class VerificationTests(PostgresServer pg, AzuriteServer azurite) : IAsyncLifetime
{
    private const string Database = "fn_verify";

    public Task InitializeAsync() => SampleDatabase.CreateAsync(pg, Database, extraRows: 300);

    public Task DisposeAsync() => Task.CompletedTask;

    private TestApp App(string prefix, Dictionary<string, string?>? extra = null, Action<IServiceCollection>? configure = null)
    {
        var settings = SampleDatabase.Targets(pg, Database, prefix);
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        var app = TestApp.Create(azurite, prefix, settings, configure);
        app.Validate();
        return app;
    }

    private static async Task<string> BackUpAsync(TestApp app)
    {
        var report = await app.Function<NightlyBackupFunction>().RunAsync(new TimerInfo(), CancellationToken.None);
        var pump = new QueuePump(app);
        await pump.DrainAsync();
        Assert.Equal(0, pump.Failed);
        return report.RunId;
    }

    private static async Task<JsonElement> ListAsync(TestApp app, string query = "")
    {
        var (status, body) = Http.Read(await app.Function<VerificationsHttpFunction>().ListAsync(Http.Request("GET", "/api/verifications", query), CancellationToken.None));
        Assert.Equal(200, status);
        return body;
    }

    private Task<long> ScratchDatabasesLeftAsync() =>
        pg.ScalarAsync<long>("SELECT count(*) FROM pg_database WHERE datname LIKE 'ib\\_verify\\_%'");

    [Fact]
    public async Task Weekly_verify_restores_every_target_and_records_a_pass_with_the_backup_it_checked()
    {
        await using var app = App("vp");
        var runId = await BackUpAsync(app);

        await app.Function<WeeklyVerifyFunction>().RunAsync(new TimerInfo(), CancellationToken.None);

        var records = await ListAsync(app);
        Assert.Equal(2, records.GetArrayLength());
        foreach (var record in records.EnumerateArray())
        {
            Assert.True(record.GetProperty("passed").GetBoolean(), record.ToString());
            Assert.Equal("timer", record.GetProperty("trigger").GetString());
            Assert.Equal(runId, record.GetProperty("backupRunId").GetString());
            Assert.False(string.IsNullOrEmpty(record.GetProperty("versionId").GetString()));
            Assert.StartsWith("folder ", record.GetProperty("store").GetString(), StringComparison.Ordinal);
            Assert.True(record.GetProperty("tables").GetInt32() >= 1);
            Assert.True(record.GetProperty("checks").GetInt32() >= 5); // three hashes, archive walk, restore, row counts
            Assert.True(record.GetProperty("durationMs").GetInt64() >= 0);
            Assert.Equal(0, record.GetProperty("mismatches").GetArrayLength());
        }

        Assert.Equal(["vp-prod", "vp-staging"], records.EnumerateArray().Select(r => r.GetProperty("target").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(0, await ScratchDatabasesLeftAsync());
        Assert.Equal(1, (await ListAsync(app, "?last=1")).GetArrayLength());
    }

    [Fact]
    public async Task Weekly_verify_of_a_truncated_backup_records_the_failed_checks_and_fails_the_invocation()
    {
        await using var app = App("vt");
        await BackUpAsync(app);

        // Cut the full plain dump (the file the restore reads) in half; the hard-linked latest name shares the bytes.
        var plain = Path.Combine(app.BackupDir, "vt-prod.gz");
        await using (var file = new FileStream(plain, FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(file.Length / 2);
        }

        var ex = await Assert.ThrowsAsync<BackupException>(() => app.Function<WeeklyVerifyFunction>().RunAsync(new TimerInfo(), CancellationToken.None));
        Assert.Contains("verification failed for vt-prod (1 of 2 passed)", ex.Message, StringComparison.Ordinal);

        var prod = (await app.Verifications.GetLatestAsync("vt-prod", CancellationToken.None))!;
        Assert.False(prod.Passed);
        Assert.Null(prod.Error);
        Assert.Contains(prod.Mismatches, m => m.StartsWith("sha256 vt-prod.gz:", StringComparison.Ordinal));
        Assert.True((await app.Verifications.GetLatestAsync("vt-staging", CancellationToken.None))!.Passed);
        Assert.Equal(0, await ScratchDatabasesLeftAsync());
    }

    [Fact]
    public async Task Verify_on_demand_of_a_backup_whose_rows_differ_from_its_manifest_answers_500_naming_the_table()
    {
        await using var app = App("vr");
        await BackUpAsync(app);

        // A manifest that promises more rows than the dump holds: hashes and blocks are fine, the counts are not.
        var manifestPath = Path.Combine(app.BackupDir, "vr-prod.manifest.json");
        var manifest = BackupCore.Storage.BackupManifest.FromJson(await File.ReadAllBytesAsync(manifestPath), manifestPath);
        var edited = manifest with { Tables = manifest.Tables.Select(t => t.Table == "users" ? t with { Rows = t.Rows + 7 } : t).ToList() };
        // Written through the latest name: it is a hard link to the stamped manifest the verifier reads.
        await File.WriteAllBytesAsync(manifestPath, edited.ToJsonBytes());

        var (status, body) = Http.Read(await app.Function<VerificationsHttpFunction>().StartAsync(Http.Request("POST", "/api/verifications", "?target=vr-prod"), CancellationToken.None));
        Assert.Equal(500, status);
        Assert.False(body.GetProperty("passed").GetBoolean());
        Assert.Equal("http", body.GetProperty("trigger").GetString());
        var mismatches = body.GetProperty("mismatches").EnumerateArray().Select(m => m.GetString()!).ToList();
        Assert.Contains(mismatches, m => m.StartsWith("row counts:", StringComparison.Ordinal) && m.Contains("prod.users: 50 restored, manifest says 57", StringComparison.Ordinal));

        var (unknown, problem) = Http.Read(await app.Function<VerificationsHttpFunction>().StartAsync(Http.Request("POST", "/api/verifications", "?target=nope"), CancellationToken.None));
        Assert.Equal(400, unknown);
        Assert.Contains("target nope is not configured", problem.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_of_a_target_never_backed_up_records_a_failure_saying_so()
    {
        await using var app = App("vn");

        var record = await app.Services.GetRequiredService<VerificationRunner>().VerifyAsync("vn-staging", "http", CancellationToken.None);

        Assert.False(record.Passed);
        Assert.Contains("target vn-staging: no backups found", record.Error, StringComparison.Ordinal);
        var stored = (await app.Verifications.GetLatestAsync("vn-staging", CancellationToken.None))!;
        Assert.Equal(record.Error, stored.Error);
        Assert.Equal(record.StartedAt, stored.StartedAt);
    }

    [Fact]
    public async Task Verify_into_a_configured_scratch_database_leaves_it_in_place_with_the_restored_rows()
    {
        const string scratch = "fn_verify_scratch";
        await pg.ExecuteAsync($"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)");
        await using var app = App("vs", new() { ["Backup:Verification:ScratchDatabase"] = scratch });
        await BackUpAsync(app);

        var record = await app.Services.GetRequiredService<VerificationRunner>().VerifyAsync("vs-prod", "http", CancellationToken.None);

        Assert.True(record.Passed, string.Join("; ", record.Mismatches) + record.Error);
        Assert.Equal(50L, await pg.ScalarAsync<long>("SELECT count(*) FROM prod.users", scratch));
        Assert.Equal(0, await ScratchDatabasesLeftAsync());

        // Again over what the first one left: the dump's DROP ... IF EXISTS replace it.
        Assert.True((await app.Services.GetRequiredService<VerificationRunner>().VerifyAsync("vs-prod", "http", CancellationToken.None)).Passed);
    }

    [Fact]
    public async Task Verify_of_an_entra_id_target_logs_in_to_the_scratch_database_with_the_token()
    {
        const string role = "fn_verify_identity";
        await pg.ExecuteAsync($"DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN CREATEDB PASSWORD 'verify-token'");
        await pg.ExecuteAsync($"GRANT USAGE ON SCHEMA prod TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA prod TO {role}", Database);
        await pg.RequirePasswordForRoleAsync(role);
        var credential = new FixedTokenCredential("verify-token");
        await using var app = App(
            "ve",
            new() { ["Backup:Targets:0:Username"] = role, ["Backup:Targets:0:Auth"] = "EntraId" },
            services => services.AddSingleton<TokenCredential>(credential));
        var runner = app.Services.GetRequiredService<VerificationRunner>();
        await app.Function<BackupsHttpFunction>().StartAsync(Http.Request("POST", "/api/backups", "", """{"targets": ["ve-prod"]}"""), CancellationToken.None);
        await new QueuePump(app).DrainAsync();
        var calls = credential.Calls;

        var record = await runner.VerifyAsync("ve-prod", "http", CancellationToken.None);

        Assert.True(record.Passed, string.Join("; ", record.Mismatches) + record.Error);
        Assert.True(credential.Calls > calls, "no token was asked for the scratch restore");
        Assert.All(credential.Scopes, s => Assert.Equal([EntraIdTokenSource.Scope], s));

        // A token the server no longer accepts: the failure names the role and never shows the token.
        await pg.ExecuteAsync($"ALTER ROLE {role} PASSWORD 'next-token'");
        var refused = await runner.VerifyAsync("ve-prod", "http", CancellationToken.None);
        Assert.False(refused.Passed);
        Assert.Contains($"role \"{role}\"", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("verify-token", JsonSerializer.Serialize(refused), StringComparison.Ordinal);
        Assert.Equal(0, await ScratchDatabasesLeftAsync());
    }

    /// <summary>Stands in for Entra ID: always the same token, which is the role's password on the local server.</summary>
    private sealed class FixedTokenCredential(string token) : TokenCredential
    {
        private int _calls;

        public int Calls => _calls;

        public List<string[]> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.Add(requestContext.Scopes);
            }

            Interlocked.Increment(ref _calls);
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
