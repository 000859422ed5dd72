using System.IO.Compression;
using Amazon.S3.Model;
using BackupCore.Backup;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Faults;

/// <summary>
/// What the fault tests share: a database with a multi-MiB table (its gzip needs a multipart upload), a role that logs
/// in with a password (scram, so a wrong one is refused), a versioned bucket, and the assertions on the store's state.
/// </summary>
public sealed class FaultBench(PostgresServer postgres, S3Server s3, string database)
{
    public const string Role = "faults_pw";

    /// <summary>The secrets no message or log line may contain.</summary>
    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N");

    public string Bucket { get; } = "ib-faults-" + Guid.NewGuid().ToString("N")[..8];

    public string Database => database;

    public PostgresServer Postgres => postgres;

    public S3Server S3 => s3;

    public async Task InitializeAsync()
    {
        await s3.CreateVersionedBucketAsync(Bucket);
        await postgres.CreateDatabaseAsync(database);
        // a_big: about 14 MB of COPY text, 7 MB of gzip (a multipart upload in 5 MiB parts); b_small: two rows.
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString(database)))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                """
                CREATE TABLE a_big (id int PRIMARY KEY, x text, y text);
                INSERT INTO a_big SELECT i, md5(i::text), md5((i * 7)::text) FROM generate_series(1, 200000) i;
                CREATE TABLE b_small (id int PRIMARY KEY, email text);
                INSERT INTO b_small VALUES (1, 'a@example.com'), (2, 'b@example.com');
                """,
                connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }

        await postgres.ExecuteAsync(
            $"""
            DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{Role}') THEN CREATE ROLE {Role} LOGIN; END IF; END$$;
            ALTER ROLE {Role} PASSWORD '{Password}';
            GRANT pg_read_all_data TO {Role};
            """);
        // Trust for everyone else, scram for this role only: a wrong password is refused.
        await postgres.RequirePasswordForRoleAsync(Role);
    }

    /// <summary>The password role's connection string, optionally to another port (the proxy) or with another password.</summary>
    public string ConnectionString(int? port = null, string? password = null)
    {
        var csb = new NpgsqlConnectionStringBuilder(postgres.ConnectionString(database, Role, password ?? Password));
        if (port is { } p)
        {
            csb.Port = p;
        }

        return csb.ConnectionString;
    }

    public S3StoreOptions Options(string? endpoint = null)
    {
        var options = s3.Options(Bucket);
        if (endpoint is not null)
        {
            options.ServiceUrl = endpoint;
        }

        return options;
    }

    public static bool IsPartUpload(string requestLine) =>
        requestLine.StartsWith("PUT ", StringComparison.Ordinal) && requestLine.Contains("partNumber=", StringComparison.Ordinal);

    public async Task<BackupResult> BackupAsync(
        string target,
        string? connectionString = null,
        S3StoreOptions? options = null,
        CapturedLog? log = null,
        CancellationToken cancellationToken = default)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString ?? ConnectionString());
        using var store = new S3Store(options ?? Options(), log?.For<S3Store>());
        var runner = new BackupRunner(new ArtifactSinkFactory(new ArtifactWriterOptions()), log?.For<BackupRunner>());
        return await runner.RunAsync(new BackupJob { TargetName = target, DataSource = dataSource, Stores = [store] }, cancellationToken);
    }

    public async Task<Dictionary<string, int>> VersionCountsAsync(string target)
    {
        using var client = s3.CreateClient();
        var response = await client.ListVersionsAsync(new ListVersionsRequest { BucketName = Bucket, Prefix = $"db/{target}." });
        return (response.Versions ?? []).GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.Count());
    }

    public async Task<int> OpenUploadsAsync(string target)
    {
        using var client = s3.CreateClient();
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = $"db/{target}." });
        return uploads.MultipartUploads?.Count ?? 0;
    }

    /// <summary>The latest manifest is <paramref name="runId"/>'s and every artifact it names reads back with its size and SHA-256.</summary>
    public async Task<BackupManifest> AssertLatestIsCoherentAsync(string target, string runId)
    {
        using var store = new S3Store(Options());
        var manifest = await store.GetManifestAsync(target, null, CancellationToken.None);
        Assert.Equal(runId, manifest.RunId);
        Assert.Equal(3, manifest.Artifacts.Count);
        foreach (var artifact in manifest.Artifacts)
        {
            await using var stream = await store.OpenReadAsync(artifact.Key, artifact.VersionId, CancellationToken.None);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory);
            Storage.ArtifactData.AssertMatches(artifact, memory.ToArray());
            Assert.Equal(artifact.Kind == ArtifactKind.Archive, artifact.Head is not null);
        }

        return manifest;
    }

    /// <summary>After a failed run: the same versions as before, the good backup still latest and whole, no upload left open.</summary>
    public async Task AssertNothingPublishedAsync(string target, string goodRunId, Dictionary<string, int> before)
    {
        Assert.Equal(before, await VersionCountsAsync(target));
        await AssertLatestIsCoherentAsync(target, goodRunId);
        Assert.Equal(0, await OpenUploadsAsync(target));
    }

    public void AssertNoSecrets(params string?[] texts)
    {
        foreach (var text in texts)
        {
            if (text is null)
            {
                continue;
            }

            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(s3.SecretKey, text, StringComparison.Ordinal);
        }
    }

    /// <summary>The plain SQL artifact of a manifest, decompressed.</summary>
    public async Task<string> PlainSqlAsync(BackupManifest manifest)
    {
        using var store = new S3Store(Options());
        var plain = manifest.Artifacts.Single(a => a.Kind == ArtifactKind.Plain);
        await using var stream = await store.OpenReadAsync(plain.Key, plain.VersionId, CancellationToken.None);
        await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return await reader.ReadToEndAsync();
    }
}
