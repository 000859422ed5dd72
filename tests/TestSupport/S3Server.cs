using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BackupCore.Storage;

namespace TestSupport;

/// <summary>
/// The S3 server for the tests: the one scripts/test started (env <c>IB_S3_ENDPOINT</c>, <c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c>), or, when that is absent, a throwaway Ceph RGW started here through
/// <c>scripts/start-s3</c> and stopped at the end (so a plain <c>dotnet test</c> works too). That one is shared by every
/// fixture instance of the test process (the S3 and the PostgreSQL+S3 collections start side by side; each used to start
/// its own on the default port 7480, and one got "connection refused") and listens on a random free port, so test
/// processes running at the same time do not meet either. Each test class creates its own versioned bucket.
/// </summary>
public sealed class S3Server : IAsyncLifetime
{
    private static readonly SemaphoreSlim SharedLock = new(1, 1);
    private static Started? _shared;
    private static int _users;

    private bool _usesShared;

    private sealed record Started(string Dir, string Endpoint, string AccessKey, string SecretKey);

    public string Endpoint { get; private set; } = "";

    public string AccessKey { get; private set; } = "";

    public string SecretKey { get; private set; } = "";

    /// <summary>A second user scripts/start-s3 creates: valid credentials without rights on the test user's buckets.</summary>
    public string OtherAccessKey => AccessKey + "-other";

    public string OtherSecretKey => SecretKey + "-other";

    public async Task InitializeAsync()
    {
        var endpoint = Environment.GetEnvironmentVariable("IB_S3_ENDPOINT");
        if (!string.IsNullOrEmpty(endpoint))
        {
            Endpoint = endpoint;
            AccessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? "ib-test-access-key";
            SecretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? "ib-test-secret-key";
            return;
        }

        await SharedLock.WaitAsync();
        try
        {
            _shared ??= await StartAsync();
            _users++;
            _usesShared = true;
            (Endpoint, AccessKey, SecretKey) = (_shared.Endpoint, _shared.AccessKey, _shared.SecretKey);
        }
        finally
        {
            SharedLock.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (!_usesShared)
        {
            return;
        }

        _usesShared = false;
        await SharedLock.WaitAsync();
        try
        {
            if (--_users == 0 && _shared is { } started)
            {
                _shared = null;
                await ProcessRunner.RunAsync(Path.Combine(RepoRoot(), "scripts", "stop-s3"), [started.Dir], timeout: TimeSpan.FromMinutes(2));
            }
        }
        finally
        {
            SharedLock.Release();
        }
    }

    /// <summary>scripts/start-s3 on a random free port; once more on another port if that one was taken meanwhile.</summary>
    private static async Task<Started> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var dir = Path.Combine(Path.GetTempPath(), "ib-s3-" + Guid.NewGuid().ToString("N")[..8]);
            var port = new Uri(UnreachableEndpoint()).Port;
            var result = await ProcessRunner.RunAsync(
                Path.Combine(RepoRoot(), "scripts", "start-s3"),
                [],
                environment: new Dictionary<string, string> { ["S3_CEPH_DIR"] = dir, ["S3_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                timeout: TimeSpan.FromMinutes(10));
            if (result.ExitCode != 0 && attempt < 2)
            {
                continue;
            }

            result.EnsureSuccess($"scripts/start-s3 (S3_PORT={port}, attempt {attempt})");
            var exports = result.StdOut.Split('\n')
                .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
                .Select(l => l["export ".Length..].Split('=', 2))
                .ToDictionary(kv => kv[0], kv => kv[1]);
            return new Started(dir, exports["IB_S3_ENDPOINT"], exports["AWS_ACCESS_KEY_ID"], exports["AWS_SECRET_ACCESS_KEY"]);
        }
    }

    /// <summary>Store options for this server: explicit test keys, 5 MiB parts (the S3 minimum).</summary>
    public S3StoreOptions Options(string bucket, string prefix = "db") => new()
    {
        Bucket = bucket,
        Prefix = prefix,
        ServiceUrl = Endpoint,
        AccessKeyId = AccessKey,
        SecretAccessKey = SecretKey,
        ChecksumMode = S3ChecksumMode.WhenRequired,
        MinPartSize = S3StoreOptions.MinimumPartSize,
    };

    /// <summary>A plain SDK client for assertions (what actually landed), independent of the store under test.</summary>
    public AmazonS3Client CreateClient() => new(
        new BasicAWSCredentials(AccessKey, SecretKey),
        new AmazonS3Config
        {
            ServiceURL = Endpoint,
            AuthenticationRegion = "us-east-1",
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    public async Task CreateVersionedBucketAsync(string bucket)
    {
        using var client = CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        await client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
    }

    /// <summary>An endpoint nobody listens on.</summary>
    public static string UnreachableEndpoint()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return $"http://127.0.0.1:{port}";
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "start-s3")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("scripts/start-s3 not found above " + AppContext.BaseDirectory);
    }
}
