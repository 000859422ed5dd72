using System.IO.Compression;
using System.Text;
using BackupCore.Storage;

namespace BackupCli.Tests;

[Collection(CliServers.Name)]
public sealed class RestoreCommandTests(PostgresServer server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-cli-restore-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal const string Dump = """
        --
        -- PostgreSQL database dump
        --

        SET standard_conforming_strings = on;
        SELECT pg_catalog.set_config('search_path', '', false);
        DROP TABLE IF EXISTS shop.orders;
        DROP TABLE IF EXISTS shop.customers;
        DROP SCHEMA IF EXISTS shop;
        CREATE SCHEMA shop;
        CREATE TABLE shop.customers (id integer PRIMARY KEY, email text);
        CREATE TABLE shop.orders (id integer PRIMARY KEY, customer integer REFERENCES shop.customers, note text);
        COPY shop.customers (id, email) FROM stdin;
        1	a@example.invalid
        2	b;c@example.invalid
        \.
        COPY shop.orders (id, customer, note) FROM stdin;
        10	1	first; order
        11	2	\N
        12	2	it's
        \.

        --
        -- PostgreSQL database dump complete
        --

        """;

    private string WriteBackup(string name, long customers = 2, long orders = 3, string? content = null)
    {
        var path = Path.Combine(_dir, name + ".anon.gz");
        using (var fs = File.Create(path))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes((content ?? Dump).Replace("\r\n", "\n", StringComparison.Ordinal)));
        }

        var manifest = new BackupManifest
        {
            RunId = "20261120T040000Z",
            Target = name,
            StartedAt = DateTimeOffset.UnixEpoch,
            SnapshotTime = DateTimeOffset.UnixEpoch,
            Database = "shopdb",
            Schemas = ["shop"],
            ServerVersion = "15",
            ToolVersion = "test",
            Tables = [new ManifestTable("shop", "customers", customers, 0), new ManifestTable("shop", "orders", orders, 0)],
        };
        File.WriteAllBytes(Path.Combine(_dir, name + ".manifest.json"), manifest.ToJsonBytes());
        return path;
    }

    [Fact]
    public async Task Restore_into_a_new_database_creates_it_and_prints_matching_row_counts()
    {
        var file = WriteBackup("shop");
        await server.ExecuteAsync("DROP DATABASE IF EXISTS cli_restore_new");

        var r = await CliRun.RunAsync("restore", "--from", file, "--to", server.ConnectionString("cli_restore_new"), "--create");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("restored shop.anon.gz into database \"cli_restore_new\" (created)", r.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"shop\.orders\s*│\s*3\s*│\s*3\s*│\s*ok", r.StdOut);
        Assert.Equal(3, await server.ScalarAsync<long>("SELECT count(*) FROM shop.orders", "cli_restore_new"));
    }

    [Fact]
    public async Task Restore_over_an_existing_database_replaces_the_backup_objects_and_keeps_others_unless_clean()
    {
        var file = WriteBackup("shop2");
        await server.CreateDatabaseAsync("cli_restore_over");
        await server.ExecuteAsync("CREATE TABLE public.local_only (a int); CREATE SCHEMA shop; CREATE TABLE shop.orders (x int); INSERT INTO shop.orders VALUES (99)", "cli_restore_over");
        var cs = server.ConnectionString("cli_restore_over");

        var over = await CliRun.RunAsync("restore", "--from", file, "--to", cs);
        Assert.True(over.ExitCode == 0, over.ToString());
        Assert.Equal("10,11,12", await server.ScalarAsync<string>("SELECT string_agg(id::text, ',' ORDER BY id) FROM shop.orders", "cli_restore_over"));
        Assert.Equal(1, await server.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'local_only'", "cli_restore_over"));

        var clean = await CliRun.RunAsync("restore", "--from", file, "--to", cs, "--clean");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Equal(0, await server.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'local_only'", "cli_restore_over"));
        Assert.Equal(3, await server.ScalarAsync<long>("SELECT count(*) FROM shop.orders", "cli_restore_over"));
    }

    [Fact]
    public async Task Row_counts_different_from_the_manifest_exit_with_the_verification_code()
    {
        var file = WriteBackup("shop3", orders: 4);
        await server.CreateDatabaseAsync("cli_restore_mismatch");

        var r = await CliRun.RunAsync("restore", "--from", file, "--to", server.ConnectionString("cli_restore_mismatch"));

        Assert.Equal(ExitCodes.VerificationFailed, r.ExitCode);
        Assert.Matches(@"shop\.orders\s*│\s*4\s*│\s*3\s*│\s*MISMATCH", r.StdOut);
        Assert.Contains("1 of 2 tables have a row count different from the manifest", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_statement_exits_1_naming_the_script_line_on_stderr()
    {
        var file = WriteBackup("shop4", content: Dump.Replace("REFERENCES shop.customers", "REFERENCES shop.nosuch", StringComparison.Ordinal));
        await server.CreateDatabaseAsync("cli_restore_error");

        var r = await CliRun.RunAsync("restore", "--from", file, "--to", server.ConnectionString("cli_restore_error"));

        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.StartsWith("error: script line 12: CREATE TABLE shop.orders (id integer", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("ERROR 42P01: relation \"shop.nosuch\" does not exist", r.StdErr, StringComparison.Ordinal);
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public async Task A_custom_archive_restores_through_pg_restore_and_matches_the_source()
    {
        await server.CreateDatabaseAsync("cli_dump_src");
        var sql = Path.Combine(_dir, "src.sql");
        await File.WriteAllTextAsync(sql, Dump);
        await using (var input = File.OpenRead(sql))
        {
            (await server.PsqlAsync("cli_dump_src", input: input)).EnsureSuccess("psql");
        }

        var dump = Path.Combine(_dir, "shop5.dump");
        (await server.ClientToolAsync("pg_dump", null, "-Fc", "-f", dump, "-d", "cli_dump_src")).EnsureSuccess("pg_dump -Fc");
        await server.ExecuteAsync("DROP DATABASE IF EXISTS cli_dump_dst");

        var r = await CliRun.RunAsync("restore", "--from", dump, "--to", server.ConnectionString("cli_dump_dst"), "--create");
        var again = await CliRun.RunAsync("restore", "--from", dump, "--to", server.ConnectionString("cli_dump_dst"));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("pg_restore finished", r.StdOut, StringComparison.Ordinal);
        Assert.Equal(await server.SchemaDumpAsync("cli_dump_src"), await server.SchemaDumpAsync("cli_dump_dst"));
        Assert.Equal(3, await server.ScalarAsync<long>("SELECT count(*) FROM shop.orders", "cli_dump_dst"));
    }

    [Fact]
    public async Task A_table_under_forced_row_security_counts_every_row_when_restored_by_its_owner()
    {
        // Regression: the owner counted through its own policy (FORCE ROW LEVEL SECURITY) and saw 1 of 3 rows,
        // so the restore exited 3 with a false mismatch.
        var file = WriteBackup("shop6", content: Dump.Replace(
            "-- PostgreSQL database dump complete",
            """
            ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;
            ALTER TABLE shop.orders FORCE ROW LEVEL SECURITY;
            CREATE POLICY only_first ON shop.orders USING (customer = 1);
            -- PostgreSQL database dump complete
            """,
            StringComparison.Ordinal));
        await server.CreateDatabaseAsync("cli_restore_rls", owner: "cli_rls_owner");
        var cs = server.ConnectionString("cli_restore_rls", "cli_rls_owner");

        var r = await CliRun.RunAsync("restore", "--from", file, "--to", cs);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"shop\.orders\s*│\s*3\s*│\s*3\s*│\s*ok", r.StdOut);
        // The count lifted the force only inside its rolled-back transaction.
        Assert.True(await server.ScalarAsync<bool>("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'shop.orders'::regclass", "cli_restore_rls"));
        await using var owner = new Npgsql.NpgsqlConnection(cs);
        await owner.OpenAsync();
        await using var filtered = new Npgsql.NpgsqlCommand("SELECT count(*) FROM shop.orders", owner);
        Assert.Equal(1L, await filtered.ExecuteScalarAsync());
    }
    [Fact]
    public async Task A_role_that_row_security_hides_rows_from_gets_an_error_naming_the_table_not_a_mismatch()
    {
        var file = WriteBackup("shop7", content: Dump.Replace(
            "-- PostgreSQL database dump complete",
            """
            ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;
            CREATE POLICY only_first ON shop.orders USING (customer = 1);
            GRANT USAGE ON SCHEMA shop TO PUBLIC;
            GRANT SELECT ON ALL TABLES IN SCHEMA shop TO PUBLIC;
            -- PostgreSQL database dump complete
            """,
            StringComparison.Ordinal));
        await server.CreateDatabaseAsync("cli_restore_rls2", owner: "cli_rls_owner");
        var restore = await CliRun.RunAsync("restore", "--from", file, "--to", server.ConnectionString("cli_restore_rls2", "cli_rls_owner"));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        await server.ExecuteAsync("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cli_rls_reader') THEN CREATE ROLE cli_rls_reader LOGIN; END IF; END$$");

        var counts = await Assert.ThrowsAsync<BackupCore.BackupException>(() => BackupCore.Restore.RowCountCheck.RunAsync(
            server.ConnectionString("cli_restore_rls2", "cli_rls_reader"),
            [new ManifestTable("shop", "customers", 2, 0), new ManifestTable("shop", "orders", 3, 0)],
            default));

        Assert.Equal("table shop.orders: row level security hides rows from the restoring role, so its rows cannot be counted", counts.Message);
    }
}
