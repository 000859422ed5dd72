using Amazon.S3.Model;
using BackupCore.Configuration;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Storage;

/// <summary>Misconfiguration fails before any data is read, with a message naming the setting to fix.</summary>
[Collection(S3Collection.Name)]
public sealed class S3StoreErrorTests(S3Server server) : IAsyncLifetime
{
    // A fresh bucket per test class instance: the server may outlive one test run (scripts/start-s3 by hand).
    private readonly string _bucket = "ib-storage-errors-" + Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => server.CreateVersionedBucketAsync(_bucket);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<int> ObjectCountAsync()
    {
        using var client = server.CreateClient();
        var response = await client.ListVersionsAsync(new ListVersionsRequest { BucketName = _bucket });
        return response.Versions?.Count ?? 0;
    }

    [Fact]
    public async Task Missing_bucket_fails_naming_the_Bucket_setting()
    {
        using var store = new S3Store(server.Options("ib-no-such-bucket"));
        var ex = await Assert.ThrowsAsync<BackupException>(async () => await store.BeginAsync("x", "run", CancellationToken.None));
        Assert.Contains("setting Bucket", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ib-no-such-bucket", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.Hint);
    }

    [Fact]
    public async Task Wrong_secret_key_fails_naming_the_credentials_without_showing_them()
    {
        var options = server.Options(_bucket);
        options.SecretAccessKey = "wrong-secret-do-not-print";
        using var store = new S3Store(options);
        var ex = await Assert.ThrowsAsync<BackupException>(async () => await store.BeginAsync("x", "run", CancellationToken.None));
        Assert.Contains("credentials", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-do-not-print", ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await ObjectCountAsync());
    }

    [Fact]
    public async Task Valid_credentials_without_rights_on_the_bucket_are_denied_and_publish_nothing()
    {
        var options = server.Options(_bucket);
        options.AccessKeyId = server.OtherAccessKey;
        options.SecretAccessKey = server.OtherSecretKey;
        using var store = new S3Store(options);
        var ex = await Assert.ThrowsAsync<BackupException>(async () => await store.BeginAsync("x", "run", CancellationToken.None));
        Assert.Contains("access denied", ex.Message, StringComparison.Ordinal);
        Assert.Contains("credentials", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ObjectCountAsync());
    }

    [Fact]
    public async Task Unreachable_endpoint_fails_naming_the_ServiceUrl_setting()
    {
        var options = server.Options(_bucket);
        options.ServiceUrl = S3Server.UnreachableEndpoint();
        options.MaxAttempts = 1;
        using var store = new S3Store(options);
        var ex = await Assert.ThrowsAsync<BackupException>(async () => await store.BeginAsync("x", "run", CancellationToken.None));
        Assert.Contains("setting ServiceUrl", ex.Message, StringComparison.Ordinal);
        Assert.Contains(options.ServiceUrl, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdk_default_trailing_checksums_are_rejected_by_rgw_with_a_hint_to_use_WhenRequired()
    {
        var options = server.Options(_bucket);
        options.ChecksumMode = S3ChecksumMode.WhenSupported;
        using var store = new S3Store(options);
        await using var publication = await store.BeginAsync("checksum-mode", "run", CancellationToken.None);
        await ArtifactData.WriteAsync(publication, ArtifactKind.Plain, ArtifactData.Bytes(1000, 1));

        var ex = await Assert.ThrowsAsync<BackupException>(async () => await ArtifactData.CommitAsync(publication, ArtifactData.Manifest("checksum-mode", "run")));
        Assert.Contains("ChecksumMode", ex.Message + ex.Hint, StringComparison.Ordinal);
        Assert.Equal(0, await ObjectCountAsync());
    }

    [Fact]
    public async Task Default_credential_chain_reads_the_standard_environment_variables()
    {
        var options = server.Options(_bucket);
        options.AccessKeyId = null;
        options.SecretAccessKey = null;
        var saved = (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", server.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", server.SecretKey);
        try
        {
            using var store = new S3Store(options);
            Assert.Empty(await store.ListVersionsAsync("nothing-here", CancellationToken.None));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", saved.Item1);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", saved.Item2);
        }
    }

    [Fact]
    public async Task Endpoint_comes_from_the_hosts_AWS_ENDPOINT_URL_S3_when_ServiceUrl_is_empty()
    {
        var options = server.Options(_bucket);
        options.ServiceUrl = null;
        var variables = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_S3"] = server.Endpoint, ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1" };

        HostEnvironment.Read(variables.GetValueOrDefault).ApplyTo(options);

        Assert.Equal(server.Endpoint, options.EffectiveServiceUrl);
        Assert.True(options.EffectiveForcePathStyle);
        Assert.Equal(S3ChecksumMode.WhenRequired, options.EffectiveChecksumMode);
        using var store = new S3Store(options);
        Assert.Empty(await store.ListVersionsAsync("nothing-here", CancellationToken.None));
    }

    [Fact]
    public void The_hosts_environment_fills_only_what_the_settings_leave_empty()
    {
        var environment = HostEnvironment.Read(new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9", ["AWS_DEFAULT_REGION"] = "eu-west-1", ["NUM_BACKUPS"] = "3",
        }.GetValueOrDefault);

        var given = environment.ApplyTo(new S3StoreOptions { Bucket = "b", ServiceUrl = "http://127.0.0.1:7480", Region = "us-west-2" });
        var empty = environment.ApplyTo(new S3StoreOptions { Bucket = "b" });

        Assert.Equal(("http://127.0.0.1:7480", "us-west-2"), (given.ServiceUrl, given.Region));
        Assert.Equal(("http://127.0.0.1:9", "eu-west-1"), (empty.ServiceUrl, empty.Region));
        Assert.Equal(3, environment.ApplyTo(new LocalFolderOptions { Path = "x" }).EffectiveKeepDays);
        Assert.Equal(5, environment.ApplyTo(new LocalFolderOptions { Path = "x", KeepDays = 5 }).EffectiveKeepDays);
        Assert.Equal(10, new HostEnvironment().ApplyTo(new LocalFolderOptions { Path = "x" }).EffectiveKeepDays);
        Assert.Null(new S3StoreOptions { Bucket = "b" }.EffectiveServiceUrl);
    }
}
