using Amazon.S3.Model;
using BackupCore.Scheduling;
using BackupCore.Storage;
using BackupFunctions.Functions;
using BackupFunctions.Tests.Fixtures;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>The nightly run into the S3 server of the storage tests (one server for the class), with the settings an Azure deployment uses.</summary>
[Collection(FunctionsCollection.Name)]
public sealed class S3BackupTests(PostgresServer pg, AzuriteServer azurite, S3Server s3) : IClassFixture<S3Server>, IAsyncLifetime
{
    private const string Database = "fn_s3";
    private const string Bucket = "fn-nightly";

    public async Task InitializeAsync()
    {
        await SampleDatabase.CreateAsync(pg, Database);
        await s3.CreateVersionedBucketAsync(Bucket);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Nightly_run_uploads_every_target_to_s3_and_records_object_versions()
    {
        var settings = SampleDatabase.Targets(pg, Database, "s3");
        settings["Backup:S3:Bucket"] = Bucket;
        settings["Backup:S3:Prefix"] = "db";
        settings["Backup:S3:ServiceUrl"] = s3.Endpoint;
        settings["Backup:S3:ForcePathStyle"] = "true";
        settings["Backup:S3:ChecksumMode"] = "WhenRequired";
        settings["Backup:S3:VerifyUpload"] = "true";

        // Credentials come from the AWS SDK's default chain, as in Azure (never from Backup:S3 settings).
        var previous = (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", s3.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", s3.SecretKey);
        try
        {
            await using var app = TestApp.Create(azurite, "s3", settings);
            app.Validate();
            var report = await app.Function<NightlyBackupFunction>().RunAsync(new TimerInfo(), CancellationToken.None);
            var pump = new QueuePump(app);
            await pump.DrainAsync();
            Assert.Equal(0, pump.Failed);

            var run = (await app.Scheduler.GetAsync(report.RunId, CancellationToken.None))!;
            Assert.Equal(RunState.Succeeded, run.State);
            using var client = s3.CreateClient();
            foreach (var target in run.Targets)
            {
                var inS3 = target.Artifacts.Where(a => a.Store.StartsWith("s3://", StringComparison.Ordinal)).ToList();
                Assert.Contains(inS3, a => a.Kind == ArtifactKind.Plain && a.Key == $"db/{target.Target}.gz");
                foreach (var a in inS3)
                {
                    Assert.False(string.IsNullOrEmpty(a.VersionId), "no version id recorded for " + a.Key);
                    var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = a.Key, VersionId = a.VersionId });
                    Assert.Equal(a.Size, head.ContentLength);
                }

                // The same bytes went to the folder store.
                var plain = target.Artifacts.Where(a => a.Kind == ArtifactKind.Plain).Select(a => a.Sha256).Distinct().ToList();
                Assert.Single(plain);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", previous.Item1);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", previous.Item2);
        }
    }

    [Fact]
    public async Task Weekly_verify_and_the_status_api_read_the_latest_backup_from_s3()
    {
        var settings = SampleDatabase.Targets(pg, Database, "sv");
        settings["Backup:S3:Bucket"] = Bucket;
        settings["Backup:S3:Prefix"] = "verify";
        settings["Backup:S3:ServiceUrl"] = s3.Endpoint;
        settings["Backup:S3:ForcePathStyle"] = "true";
        settings["Backup:S3:ChecksumMode"] = "WhenRequired";
        settings["Backup:LocalFolder:Path"] = "";
        var previous = (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", s3.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", s3.SecretKey);
        try
        {
            await using var app = TestApp.Create(azurite, "sv", settings);
            app.Validate();

            // Before any backup: both targets never succeeded.
            var (empty, _) = Http.Read(await app.Function<StatusHttpFunction>().GetAsync(Http.Request("GET", "/api/status"), CancellationToken.None));
            Assert.Equal(503, empty);

            var report = await app.Function<NightlyBackupFunction>().RunAsync(new TimerInfo(), CancellationToken.None);
            await new QueuePump(app).DrainAsync();
            await app.Function<WeeklyVerifyFunction>().RunAsync(new TimerInfo(), CancellationToken.None);

            var record = (await app.Verifications.GetLatestAsync("sv-prod", CancellationToken.None))!;
            Assert.True(record.Passed, string.Join("; ", record.Mismatches) + record.Error);
            Assert.StartsWith("s3://" + Bucket + "/verify", record.Store, StringComparison.Ordinal);
            Assert.Equal(report.RunId, record.BackupRunId);

            var (status, body) = Http.Read(await app.Function<StatusHttpFunction>().GetAsync(Http.Request("GET", "/api/status"), CancellationToken.None));
            Assert.Equal(200, status);
            var prod = body.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("target").GetString() == "sv-prod");
            Assert.Equal(report.RunId, prod.GetProperty("runId").GetString());
            Assert.Equal(record.VersionId, prod.GetProperty("versionId").GetString());
            Assert.True(prod.GetProperty("lastVerification").GetProperty("passed").GetBoolean());
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", previous.Item1);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", previous.Item2);
        }
    }

    /// <summary>
    /// <c>Backup:S3:RoleArn</c>: the app's Entra ID token goes to STS <c>AssumeRoleWithWebIdentity</c> (the S3-compatible
    /// server's own STS endpoint here). The local server has no OIDC provider configured, so the exchange is refused:
    /// the test checks the token asked for (audience = AZURE_CLIENT_ID), that the STS call was made, and that the run
    /// fails naming the setting instead of falling back to other credentials.
    /// </summary>
    [Fact]
    public async Task Role_arn_exchanges_the_entra_token_and_a_refusal_fails_the_run_naming_the_setting()
    {
        var settings = SampleDatabase.Targets(pg, Database, "wi");
        settings["AZURE_CLIENT_ID"] = "11111111-2222-3333-4444-555555555555";
        settings["Backup:S3:Bucket"] = "fn-webidentity";
        settings["Backup:S3:ServiceUrl"] = s3.Endpoint;
        settings["Backup:S3:ChecksumMode"] = "WhenRequired";
        settings["Backup:S3:RoleArn"] = "arn:aws:iam::123456789012:role/infinite-backup-test";
        settings["Backup:LocalFolder:Path"] = "";
        var credential = new RecordingCredential();
        await using var app = TestApp.Create(azurite, "wi", settings, services => services.AddSingleton<Azure.Core.TokenCredential>(credential));
        app.Validate();

        var report = await app.Function<NightlyBackupFunction>().RunAsync(new TimerInfo(), CancellationToken.None);
        Assert.True(await new QueuePump(app).DeliverOneAsync());

        var part = (await app.Scheduler.GetAsync(report.RunId, CancellationToken.None))!.Targets.Single(t => t.Attempts == 1);
        Assert.Equal(RunState.Queued, part.State);
        Assert.Contains("Backup:S3:RoleArn arn:aws:iam::123456789012:role/infinite-backup-test", part.Error, StringComparison.Ordinal);
        Assert.Contains(["11111111-2222-3333-4444-555555555555/.default"], credential.Scopes);
    }

    private sealed class RecordingCredential : Azure.Core.TokenCredential
    {
        public List<string[]> Scopes { get; } = [];

        public override Azure.Core.AccessToken GetToken(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.Add(requestContext.Scopes);
            }

            return new Azure.Core.AccessToken("header.payload.signature", DateTimeOffset.UtcNow.AddMinutes(10));
        }

        public override ValueTask<Azure.Core.AccessToken> GetTokenAsync(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
