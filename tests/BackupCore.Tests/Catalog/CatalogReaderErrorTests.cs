using BackupCore.Catalog;
using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.Catalog;

[Collection(PostgresCollection.Name)]
public class CatalogReaderErrorTests(PostgresServer server)
{
    [Fact]
    public async Task A_table_locked_access_exclusive_elsewhere_fails_after_the_lock_timeout_naming_the_table()
    {
        await server.CreateDatabaseAsync("caterr_lock");
        await server.ExecuteAsync("CREATE SCHEMA \"infinite-prod\"; CREATE TABLE \"infinite-prod\".\"Busy Table\" (id int); CREATE TABLE \"infinite-prod\".calm (id int)", "caterr_lock");

        await using var blocker = new NpgsqlConnection(server.ConnectionString("caterr_lock"));
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("LOCK TABLE \"infinite-prod\".\"Busy Table\" IN ACCESS EXCLUSIVE MODE", blocker, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<BackupException>(() =>
            CatalogPlanReader.ReadAsync(server, "caterr_lock", new CatalogScope([], TimeSpan.FromMilliseconds(500))));
        Assert.Contains("\"infinite-prod\".\"Busy Table\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("55P03", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Hint);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_table_the_role_cannot_read_fails_naming_the_table()
    {
        await server.CreateDatabaseAsync("caterr_priv");
        await server.ExecuteAsync(
            """
            DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'caterr_reader') THEN CREATE ROLE caterr_reader LOGIN; END IF; END$$;
            CREATE SCHEMA app;
            GRANT USAGE ON SCHEMA app TO caterr_reader;
            CREATE TABLE app.open_table (id int);
            CREATE TABLE app."secret-table" (id int);
            GRANT SELECT ON app.open_table TO caterr_reader;
            """,
            "caterr_priv");

        var e = await Assert.ThrowsAsync<BackupException>(() => CatalogPlanReader.ReadAsync(server, "caterr_priv", user: "caterr_reader"));
        Assert.Contains("app.\"secret-table\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("42501", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sequence_the_role_cannot_read_fails_naming_the_sequence()
    {
        await server.CreateDatabaseAsync("caterr_seq");
        await server.ExecuteAsync(
            """
            DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'caterr_reader') THEN CREATE ROLE caterr_reader LOGIN; END IF; END$$;
            CREATE SCHEMA app;
            GRANT USAGE ON SCHEMA app TO caterr_reader;
            CREATE SEQUENCE app.hidden_seq;
            """,
            "caterr_seq");

        var e = await Assert.ThrowsAsync<BackupException>(() => CatalogPlanReader.ReadAsync(server, "caterr_seq", user: "caterr_reader"));
        Assert.Contains("app.hidden_seq", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_object_kind_the_engine_cannot_dump_fails_naming_it_unless_its_schema_is_left_out()
    {
        await server.CreateDatabaseAsync("caterr_kind");
        await server.ExecuteAsync(
            """
            CREATE SCHEMA "odd-kinds";
            CREATE COLLATION "odd-kinds"."German Phonebook" (provider = icu, locale = 'de-u-co-phonebk');
            CREATE SCHEMA fine;
            CREATE TABLE fine.t (id int);
            """,
            "caterr_kind");

        var e = await Assert.ThrowsAsync<BackupException>(() => CatalogPlanReader.ReadAsync(server, "caterr_kind"));
        Assert.Contains("collation \"odd-kinds\".\"German Phonebook\"", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Hint);

        var plan = await CatalogPlanReader.ReadAsync(server, "caterr_kind", new CatalogScope(["fine"], TimeSpan.FromSeconds(5)));
        Assert.Contains(plan.Entries, x => x.Desc == "TABLE" && x.Tag == "t");
    }

    [Fact]
    public async Task A_catalog_read_failing_in_an_unforeseen_way_names_what_was_read_and_the_server_version()
    {
        // Nothing in the engine foresees a catalog the backup role may not read: a managed server could restrict one.
        await server.CreateDatabaseAsync("caterr_catalog", owner: "caterr_catalog_owner");
        await server.ExecuteAsync("REVOKE SELECT ON pg_catalog.pg_policy FROM PUBLIC", "caterr_catalog");
        await server.ExecuteAsync("CREATE TABLE public.t (id integer)", "caterr_catalog", user: "caterr_catalog_owner");
        var version = await server.ScalarAsync<string>("SHOW server_version");

        var e = await Assert.ThrowsAsync<BackupException>(() => CatalogPlanReader.ReadAsync(server, "caterr_catalog", user: "caterr_catalog_owner"));

        Assert.Equal(
            $"database \"caterr_catalog\": reading policy objects from the catalog failed on PostgreSQL {version}: permission denied for table pg_policy (SQLSTATE 42501)",
            e.Message);
        Assert.NotNull(e.Hint);
        Assert.IsType<PostgresException>(e.InnerException);
    }
}
