using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using BackupCore.Anonymization;
using BackupCore.Backup;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Tests.Anonymization;

/// <summary>
/// Issue 3's "Done when": back up a database full of awkward addresses with the real runner, restore
/// NAME.anon.gz with psql ON_ERROR_STOP=1 as a non-superuser owner, and compare with the source.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AnonymizedRestoreTests(PostgresServer server)
{
    private const string Owner = "anon_owner";
    private const string Key = "restore-test-key-0123456789abcdef";

    private const string Fixture = """
        CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
        CREATE SCHEMA app;
        CREATE TABLE app.users (
            email character varying(120) PRIMARY KEY,
            name text NOT NULL,
            alt_email character varying(60) UNIQUE,
            login text,
            handle public.citext UNIQUE,
            aliases character varying(80)[] DEFAULT '{}'::character varying[],
            profile jsonb,
            raw json,
            notes text,
            bio xml,
            pic bytea,
            n integer NOT NULL UNIQUE,
            code character(40)
        );
        CREATE UNIQUE INDEX users_lower_login_idx ON app.users (lower(login));
        CREATE TABLE app.orders (
            id serial PRIMARY KEY,
            user_email character varying(120) REFERENCES app.users(email) ON DELETE CASCADE,
            note text
        );
        CREATE VIEW app.admins AS SELECT email FROM app.users WHERE email <> 'admin@x.org';
        COMMENT ON TABLE app.users IS 'Owner: zoë@straße.de, backup ''ops@x.org''';
        COMMENT ON COLUMN app.users.email IS 'login e-mail, e.g. ann@x.org';

        INSERT INTO app.users VALUES
          ('ann@x.org', 'Ann', 'Ann@X.org', 'Ann.Login@x.org', 'Ann@Handle.org',
           '{ann@x.org,"second ann@x.org",NULL,"{x}"}',
           '{"contact": {"email": "ann@x.org", "list": ["a@b.co", 1, null]}, "ann@x.org": true}',
           '{"k": "ann\u0040x.org", "esc": "caf\u00e9 \"q\""}',
           E'\tann@x.org\n bob@y.org\\ \rc@d.org\\Nann@x.org \b\f\vd@e.org\\',
           '<p title="ann@x.org">mail ann@x.org</p>', '\x40414243', 1, 'ann@x.org'),
          ('zoë@straße.de', 'Zoë', 'ann@x.org', 'bob@y.org', 'ann@handle2.org',
           '{zoë@straße.de}', '{"名前": "张伟@例子.中国", "n": [{"deep": "x@y.org"}]}', '["😀ann@x.org😀"]',
           '😀ann@x.org😀 日本:c@d.org café:e@f.org', NULL, NULL, 2, NULL),
          ('张伟@例子.中国', 'Wei', NULL, NULL, NULL, '{{a@b.co,x},{y,c@d.co}}', '{}', '{}', 'no address', NULL, '\x00', 3, 'plain'),
          ('nobody@example.com', 'Already', 'nobody@example.com', 'NOBODY@example.com', 'nobody@example.com', NULL, NULL, NULL, E'\\N', NULL, NULL, 4, NULL);
        INSERT INTO app.orders (user_email, note) VALUES
          ('ann@x.org', 'ship to ann@x.org'), ('zoë@straße.de', NULL), ('张伟@例子.中国', 'n'), ('ann@x.org', 'again');
        """;

    private async Task<string> CreateSourceAsync(string db)
    {
        await server.CreateDatabaseAsync(db, Owner);
        (await server.PsqlAsync(db, Fixture, user: Owner)).EnsureSuccess("fixture");
        return db;
    }

    private static BackupRunner Runner(AnonymizationPolicy? policy = null) =>
        new(new ArtifactSinkFactory(new ArtifactWriterOptions
        {
            Anonymization = new AnonymizationOptions { Key = Key },
            AnonymizationPolicy = policy ?? AnonymizationPolicy.Empty,
        }));

    private async Task<BackupResult> BackupAsync(string db, string dir, AnonymizationPolicy? policy = null)
    {
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString(db, Owner));
        return await Runner(policy).RunAsync(
            new BackupJob { TargetName = "anon", DataSource = dataSource, Stores = [new LocalFolderStore(new LocalFolderOptions { Path = dir })] },
            CancellationToken.None);
    }

    private async Task RestoreAsync(string file, string db)
    {
        await server.CreateDatabaseAsync(db, Owner);
        await using var gz = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        (await server.PsqlAsync(db, input: gz, user: Owner)).EnsureSuccess("restore " + Path.GetFileName(file));
    }

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ib-anon-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public async Task Anonymized_dump_restores_as_owner_with_every_address_replaced_and_nothing_else_changed()
    {
        var source = await CreateSourceAsync("anon_rt_src");
        var dir = TempDir();
        var result = await BackupAsync(source, dir);
        await RestoreAsync(Path.Combine(dir, "anon.anon.gz"), "anon_rt_dst");

        // Schema identical apart from the comment texts (the view's literal address is DDL and stays).
        var sourceSchema = await server.SchemaDumpAsync(source);
        var restoredSchema = await server.SchemaDumpAsync("anon_rt_dst");
        Assert.Equal(Blocks(Substitute(sourceSchema)), Blocks(Substitute(restoredSchema)));
        Assert.Contains("'admin@x.org'", restoredSchema, StringComparison.Ordinal);
        Assert.DoesNotContain("zoë@straße.de", restoredSchema, StringComparison.Ordinal);
        Assert.Contains("COMMENT ON TABLE app.users IS 'Owner: nobody@example.com, backup ''nobody@example.com''';", restoredSchema, StringComparison.Ordinal);

        foreach (var table in new[] { "app.users", "app.orders" })
        {
            var sourceRows = await RowsAsync(source, table);
            var restoredRows = await RowsAsync("anon_rt_dst", table);
            Assert.Equal(sourceRows.Count, restoredRows.Count);

            await AnonymizationOracle.AssertNoAddressLeftAsync(server, restoredRows);
            AnonymizationOracle.AssertEqualAfterSubstitution(sourceRows, restoredRows, CanonicalMember);
        }

        // Unique and key columns got distinct forms; the FK still matches; the same address maps alike everywhere.
        var emails = await ColumnAsync("anon_rt_dst", "SELECT email FROM app.users ORDER BY n");
        Assert.All(emails, e => Assert.Matches(@"^nobody\+[a-z2-7]+@example\.com$", e));
        Assert.Equal(emails[0], (await ColumnAsync("anon_rt_dst", "SELECT alt_email FROM app.users WHERE n = 2"))[0]);
        Assert.Equal(2, (await ColumnAsync("anon_rt_dst", $"SELECT id::text FROM app.orders WHERE user_email = '{emails[0]}'")).Count);
        Assert.Equal(["nobody@example.com"], await ColumnAsync("anon_rt_dst", "SELECT DISTINCT substring(notes from 2 for 18) FROM app.users WHERE n = 1"));

        // The bytea holding "@ABC" bytes is untouched.
        Assert.Equal(["\\x40414243"], await ColumnAsync("anon_rt_dst", "SELECT pic::text FROM app.users WHERE n = 1"));

        Assert.Contains(result.Manifest.Anonymization, c => c is { Schema: "app", Table: "users", Column: "email", Replaced: 4 });
        Assert.Contains(result.Manifest.Anonymization, c => c is { Schema: "app", Table: "orders", Column: "user_email", Replaced: 4 });
        var manifest = BackupManifest.FromJson(await File.ReadAllBytesAsync(Path.Combine(dir, "anon.manifest.json")), "manifest");
        Assert.Equal(result.Manifest.Anonymization, manifest.Anonymization);

        // The plain artifact is untouched by all this.
        await RestoreAsync(Path.Combine(dir, "anon.gz"), "anon_rt_plain");
        Assert.Equal(
            (await RowsAsync(source, "app.users")).Select(r => r.ToJsonString()).Order(StringComparer.Ordinal),
            (await RowsAsync("anon_rt_plain", "app.users")).Select(r => r.ToJsonString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_kept_address_column_fails_the_run_and_publishes_nothing()
    {
        var source = await CreateSourceAsync("anon_fc_src");
        var dir = TempDir();
        var policy = AnonymizationPolicy.Parse("""{"columns": {"app.orders.note": "keep"}}"""u8, "policy.json");
        var ex = await Assert.ThrowsAsync<BackupException>(() => BackupAsync(source, dir, policy));
        Assert.Equal("table app.orders column note: an e-mail address is left in the anonymized output; the anonymized artifact is not published", ex.Message);
        Assert.DoesNotContain("ann@x.org", ex.Message + ex.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFiles(dir), f => !Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public async Task A_policy_naming_an_unknown_column_fails_before_any_data_is_read()
    {
        var source = await CreateSourceAsync("anon_pol_src");
        var dir = TempDir();
        var policy = AnonymizationPolicy.Parse("""{"columns": {"app.users.phone": "null"}}"""u8, "policy.json");
        var ex = await Assert.ThrowsAsync<BackupException>(() => BackupAsync(source, dir, policy));
        Assert.Equal("anonymization policy policy.json: column app.users.phone: table app.users has no column \"phone\"", ex.Message);
    }

    [Fact]
    public async Task Policy_rules_null_fixed_and_hash_restore_and_are_counted()
    {
        var source = await CreateSourceAsync("anon_rules_src");
        var dir = TempDir();
        var policy = AnonymizationPolicy.Parse("""
            {"columns": {"app.users.notes": "null", "app.users.name": "fixed:Someone", "app.users.login": "hash",
                         "app.users.bio": "keep"},
             "allowAddresses": ["app.users.bio"]}
            """u8, "policy.json");
        var result = await BackupAsync(source, dir, policy);
        await RestoreAsync(Path.Combine(dir, "anon.anon.gz"), "anon_rules_dst");
        Assert.Equal(["Someone"], await ColumnAsync("anon_rules_dst", "SELECT DISTINCT name FROM app.users"));
        Assert.Equal(["0"], await ColumnAsync("anon_rules_dst", "SELECT count(notes)::text FROM app.users"));
        var logins = await ColumnAsync("anon_rules_dst", "SELECT login FROM app.users WHERE login IS NOT NULL ORDER BY n");
        Assert.All(logins, l => Assert.Matches("^[a-z2-7]{26}$", l));
        Assert.Equal(3, logins.Distinct().Count());
        Assert.Equal(
            ["<p title=\"ann@x.org\">mail ann@x.org</p>"],
            await ColumnAsync("anon_rules_dst", "SELECT bio::text FROM app.users WHERE n = 1"));
        Assert.Contains(result.Manifest.Anonymization, c => c is { Column: "name", Replaced: 4 });
        Assert.Contains(result.Manifest.Anonymization, c => c is { Column: "notes", Replaced: 4 });
    }

    [Fact]
    public async Task Cli_backup_writes_the_plain_and_the_anonymized_artifact()
    {
        var source = await CreateSourceAsync("anon_cli_src");
        var dir = TempDir();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var rc = await BackupCli.CliApp.RunAsync(
            ["backup", "--connection", server.ConnectionString(source, Owner), "--name", "cli", "--dir", dir],
            stdout,
            stderr);
        Assert.True(rc == 0, stderr.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "cli.gz")));
        Assert.True(File.Exists(Path.Combine(dir, "cli.anon.gz")));
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("Backup__Anonymization__Key")))
        {
            Assert.Contains("Backup__Anonymization__Key is not set", stderr.ToString(), StringComparison.Ordinal);
        }
        await using var gz = new GZipStream(File.OpenRead(Path.Combine(dir, "cli.anon.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz, Encoding.UTF8);
        var sql = await reader.ReadToEndAsync();
        Assert.DoesNotContain("zoë@straße.de", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@x.org", sql, StringComparison.Ordinal);
        Assert.Contains("'admin@x.org'", sql, StringComparison.Ordinal);
    }

    private Task<List<JsonObject>> RowsAsync(string db, string table) => AnonymizationOracle.RowsAsync(server, db, table);

    private Task<List<string>> ColumnAsync(string db, string sql) => AnonymizationOracle.ColumnAsync(server, db, sql);

    private static string Substitute(string s) => AnonymizationOracle.Substitute(s);

    // pg_dump prints objects without a dependency between them in creation order, which a restore may change.
    private static string[] Blocks(string schemaDump) =>
        schemaDump.Split("\n\n").Where(b => b.Trim().Length > 0).Order(StringComparer.Ordinal).ToArray();

    // character(n) pads to n: a replacement of another length is padded (or cut back to n) on input.
    private static string? CanonicalMember(string key, JsonNode? value) =>
        key == "code" && value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? System.Text.Json.JsonSerializer.Serialize(Substitute(v.GetValue<string>()).TrimEnd(' '))
            : null;
}
