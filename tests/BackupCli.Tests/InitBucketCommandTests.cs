using Amazon.S3;
using Amazon.S3.Model;
using BackupCore.Storage;

namespace BackupCli.Tests;

/// <summary>
/// <c>init-bucket</c> against Ceph RGW: its rule is merged into the lifecycle configuration (other rules kept, its own
/// replaced by id) and read back; a server that drops the count of versions to keep gets its configuration back as it was.
/// </summary>
[Collection(CliServers.Name)]
public sealed class InitBucketCommandTests : IAsyncLifetime
{
    private readonly S3Server _s3;
    private readonly string _bucket = "ib-cli-lc-" + Guid.NewGuid().ToString("N")[..8];

    public InitBucketCommandTests(S3Server s3)
    {
        _s3 = s3;
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", s3.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", s3.SecretKey);
    }

    public async Task InitializeAsync()
    {
        await _s3.CreateVersionedBucketAsync(_bucket);
        using var client = _s3.CreateClient();
        await client.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = _bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "logs by someone else",
                        Status = LifecycleRuleStatus.Enabled,
                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "logs/" } },
                        Expiration = new LifecycleRuleExpiration { Days = 7 },
                    },
                ],
            },
        });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<LifecycleRule>> RulesAsync()
    {
        using var client = _s3.CreateClient();
        var response = await client.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = _bucket });
        return response.Configuration?.Rules ?? [];
    }

    private Task<CliRun.Result> InitAsync(string prefix, params string[] extra) =>
        CliRun.RunAsync(["init-bucket", "--s3", $"s3://{_bucket}/{prefix}", "--s3-endpoint", _s3.Endpoint, .. extra]);

    [Fact]
    public async Task Its_rule_joins_the_existing_rules_and_replaces_only_its_own()
    {
        var db = await InitAsync("db", "--noncurrent-days", "30");
        var db2 = await InitAsync("db2", "--noncurrent-days", "10");
        var again = await InitAsync("db", "--noncurrent-days", "40");
        Assert.True(db.ExitCode == 0 && db2.ExitCode == 0 && again.ExitCode == 0, $"{db}\n{db2}\n{again}");
        Assert.Contains("lifecycle rule \"infinite-backup db/\" replaced", again.StdOut, StringComparison.Ordinal);
        Assert.Contains("2 other rules kept", again.StdOut, StringComparison.Ordinal);

        var rules = (await RulesAsync()).ToDictionary(r => r.Id);
        Assert.Equal(["infinite-backup db/", "infinite-backup db2/", "logs by someone else"], rules.Keys.Order());
        Assert.Equal(40, rules["infinite-backup db/"].NoncurrentVersionExpiration.NoncurrentDays);
        Assert.Equal(10, rules["infinite-backup db2/"].NoncurrentVersionExpiration.NoncurrentDays);
        Assert.Equal("db2/", S3BucketSetup.PrefixOf(rules["infinite-backup db2/"]));
        Assert.Equal(7, rules["logs by someone else"].Expiration.Days);
    }

    [Fact]
    public async Task A_server_that_drops_the_count_of_versions_to_keep_is_reported_and_the_configuration_put_back()
    {
        var before = (await RulesAsync()).Select(r => r.Id).Order().ToList();
        var result = await InitAsync("counted");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("NewerNoncurrentVersions: asked 45, stored nothing", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("--noncurrent-days", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("lifecycle rule", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(before, (await RulesAsync()).Select(r => r.Id).Order().ToList());
    }
}
