using System.Text.Json;
using BackupCore.Storage;

namespace BackupCli.Tests;

/// <summary>
/// <c>backup</c> with the Functions app's settings: from <c>Backup__*</c> environment variables and from a settings file
/// of either shape, every configured target (or <c>--target</c>), into real stores, with flags overriding.
/// </summary>
[Collection(CliServers.Name)]
public sealed class ConfiguredBackupTests : IAsyncLifetime, IDisposable
{
    private const string Source = "cli_cfg_src";
    private readonly PostgresServer _pg;
    private readonly S3Server _s3;
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-cfg-").FullName;

    public ConfiguredBackupTests(PostgresServer pg, S3Server s3)
    {
        _pg = pg;
        _s3 = s3;

        // S3 credentials come from the AWS SDK's chain, as on a host or in CI.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", s3.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", s3.SecretKey);
    }

    public async Task InitializeAsync()
    {
        await _pg.CreateDatabaseAsync(Source);
        await _pg.ExecuteAsync(
            "CREATE SCHEMA env_a; CREATE TABLE env_a.items (id int PRIMARY KEY, email text); INSERT INTO env_a.items VALUES (1, 'a@example.com'), (2, 'b@example.com');" +
            "CREATE SCHEMA env_b; CREATE TABLE env_b.items (id int PRIMARY KEY); INSERT INTO env_b.items SELECT generate_series(1, 5);",
            Source);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Two targets, two schemas of one database (the seed's infinite-prod and infinite-staging), as app settings.</summary>
    private Dictionary<string, string?> TwoTargets(string database = Source)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (i, name, schema) in new[] { (0, "cfg-a", "env_a"), (1, "cfg-b", "env_b") })
        {
            settings[$"Backup__Targets__{i}__Name"] = name;
            settings[$"Backup__Targets__{i}__Host"] = "127.0.0.1";
            settings[$"Backup__Targets__{i}__Port"] = _pg.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"Backup__Targets__{i}__Database"] = database;
            settings[$"Backup__Targets__{i}__Username"] = _pg.Superuser;
            settings[$"Backup__Targets__{i}__Schemas"] = schema;
            settings[$"Backup__Targets__{i}__SslMode"] = "Disable";
        }

        settings["Backup__Anonymization__Key"] = "cli-test-key-0123456789";
        return settings;
    }

    private static async Task<BackupManifest> ManifestAsync(string folder, string target) =>
        BackupManifest.FromJson(await File.ReadAllBytesAsync(Path.Combine(folder, target + ".manifest.json")), target);

    [Fact]
    public async Task Environment_settings_back_up_every_configured_target_into_the_configured_folder()
    {
        var folder = Path.Combine(_dir, "env");
        var env = TwoTargets();
        env["Backup__LocalFolder__Path"] = folder;

        var r = await CliRun.RunWithEnvironmentAsync(env, "backup");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["env_a"], (await ManifestAsync(folder, "cfg-a")).Schemas);
        Assert.Equal(5, (await ManifestAsync(folder, "cfg-b")).Tables.Single().Rows);
        Assert.Contains("backup of cfg-a: run ", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("backup of cfg-b: run ", r.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("Backup__Anonymization__Key is not set", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_functions_local_settings_file_backs_up_both_targets_to_the_bucket_and_list_shows_every_target()
    {
        const string bucket = "ib-cli-configured";
        await _s3.CreateVersionedBucketAsync(bucket);
        var prefix = "nightly-" + Guid.NewGuid().ToString("N")[..8];
        var values = TwoTargets();
        values["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        values["Backup__S3__Bucket"] = bucket;
        values["Backup__S3__Prefix"] = prefix;
        values["Backup__S3__ServiceUrl"] = _s3.Endpoint;
        values["Backup__S3__ForcePathStyle"] = "true";
        values["Backup__S3__ServerSideEncryption"] = "none";
        values["Backup__S3__ChecksumMode"] = "";
        values["Backup__LocalFolder__Path"] = "";
        var file = Path.Combine(_dir, "local.settings.json");
        await File.WriteAllTextAsync(file, """
            // Copied from the Functions app: comments and a trailing comma are fine.
            {
              "IsEncrypted": false,
              "Values":
            """ + JsonSerializer.Serialize(values).TrimEnd('}') + ",}\n}\n");

        var r = await CliRun.RunWithEnvironmentAsync(new Dictionary<string, string?>(), "backup", "--settings", file);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"{prefix}/cfg-a.gz\t", r.StdOut, StringComparison.Ordinal);
        Assert.Contains($"{prefix}/cfg-b.dump\t", r.StdOut, StringComparison.Ordinal);

        var json = await CliRun.RunAsync("list", "--s3", $"s3://{bucket}/{prefix}", "--s3-endpoint", _s3.Endpoint, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var entries = JsonSerializer.Deserialize<List<ListCommand.Entry>>(json.StdOut, BackupManifest.JsonOptions)!;
        Assert.Equal(["cfg-a", "cfg-b"], entries.Select(e => e.Target));
        Assert.Equal([2L, 5L], entries.Select(e => e.Rows));

        // Not a terminal: every backup on one line, its target, version id and run id together (no wrapping at 80 columns).
        var table = await CliRun.RunAsync("list", "--s3", $"s3://{bucket}/{prefix}", "--s3-endpoint", _s3.Endpoint);
        Assert.True(table.ExitCode == 0, table.ToString());
        foreach (var e in entries)
        {
            Assert.Single(table.StdOut.Split('\n'), line => line.Contains(e.Target + " ", StringComparison.Ordinal)
                && line.Contains(e.VersionId, StringComparison.Ordinal) && line.Contains(e.RunId!, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_plain_json_settings_file_is_read_and_the_environment_overrides_it()
    {
        var fromFile = Path.Combine(_dir, "from-file");
        var fromEnv = Path.Combine(_dir, "from-env");
        var file = Path.Combine(_dir, "backup.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            Backup = new
            {
                Targets = new[]
                {
                    new { Name = "plain-a", Host = "127.0.0.1", Port = _pg.Port, Database = Source, Username = _pg.Superuser, Schemas = "env_a", SslMode = "Disable" },
                    new { Name = "plain-b", Host = "127.0.0.1", Port = _pg.Port, Database = Source, Username = _pg.Superuser, Schemas = "env_a", SslMode = "Disable" },
                },
                LocalFolder = new { Path = fromFile },
                CompressionLevel = "Fastest",
            },
        }));
        var env = new Dictionary<string, string?>
        {
            ["Backup__LocalFolder__Path"] = fromEnv,
            ["Backup__Targets__1__Schemas"] = "env_b",
            ["PATH"] = "/usr/bin",
        };

        var r = await CliRun.RunWithEnvironmentAsync(env, "backup", "--settings", file);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(Directory.Exists(fromFile));
        Assert.Equal(["env_a"], (await ManifestAsync(fromEnv, "plain-a")).Schemas);
        Assert.Equal(["env_b"], (await ManifestAsync(fromEnv, "plain-b")).Schemas);
    }

    [Fact]
    public async Task Target_picks_one_configured_target_and_store_flags_replace_the_configured_stores()
    {
        var env = TwoTargets();
        env["Backup__S3__Bucket"] = "ib-cli-never-written";
        env["Backup__S3__ServiceUrl"] = S3Server.UnreachableEndpoint();
        var folder = Path.Combine(_dir, "flags");

        var r = await CliRun.RunWithEnvironmentAsync(env, "backup", "--target", "cfg-b", "--out", folder, "--compression-level", "0");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(Path.Combine(folder, "cfg-b.manifest.json")), r.ToString());
        Assert.Empty(Directory.GetFiles(folder, "cfg-a*"));
        Assert.DoesNotContain("ib-cli-never-written", r.StdOut + r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_target_does_not_stop_the_others_and_the_run_exits_1_naming_it()
    {
        var env = TwoTargets();
        env["Backup__Targets__0__Database"] = "cli_cfg_no_such_db";
        var folder = Path.Combine(_dir, "partial");
        env["Backup__LocalFolder__Path"] = folder;

        var r = await CliRun.RunWithEnvironmentAsync(env, "backup");

        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Contains("database \"cli_cfg_no_such_db\" does not exist", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("error: 1 of 2 targets failed: cfg-a", r.StdErr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "cfg-b.gz")), r.ToString());
        Assert.False(File.Exists(Path.Combine(folder, "cfg-a.gz")));
    }

    [Fact]
    public async Task An_entra_id_target_without_an_azure_identity_fails_naming_entra_id_and_writes_nothing()
    {
        // The test server trusts its logins; this role must send a password, so the token source is asked for one.
        await _pg.ExecuteAsync("DROP ROLE IF EXISTS cli_entra_role; CREATE ROLE cli_entra_role LOGIN PASSWORD 'not-a-token'");
        await _pg.RequirePasswordForRoleAsync("cli_entra_role");
        var env = TwoTargets();
        env["Backup__Targets__0__Auth"] = "EntraId";
        env["Backup__Targets__0__Username"] = "cli_entra_role";
        var folder = Path.Combine(_dir, "entra");
        env["Backup__LocalFolder__Path"] = folder;

        var r = await CliRun.RunWithEnvironmentAsync(env, "backup", "--target", "cfg-a");

        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.True(r.StdErr.Contains("Entra ID: no access token for https://ossrdbms-aad.database.windows.net/.default", StringComparison.Ordinal), r.ToString());
        Assert.False(File.Exists(Path.Combine(folder, "cfg-a.gz")));
    }
}
