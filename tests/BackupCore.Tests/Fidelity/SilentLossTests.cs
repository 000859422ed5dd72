using BackupCore.Catalog;
using BackupCore.Tests.Catalog;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Fidelity;

/// <summary>
/// Issue 18's silent losses on every major 13 to 18 (one derived class per major, <see cref="Pg13SilentLossTests"/>, ...):
/// per-object settings and publications that pg_dump writes, each restored from our artifacts identical to the source
/// (and up to 15 to pg_dump 15's restore, <see cref="FidelityHarness"/>), as far as the server's major has them; and
/// the kinds we do not write fail the backup naming the object.
/// </summary>
public abstract class SilentLossTests(PostgresServer server)
{
    private readonly FidelityHarness _harness = new(server);

    [Fact]
    public async Task Child_default_null_view_defaults_key_options_statistics_targets_and_matview_column_settings_survive()
    {
        var result = await _harness.RunAsync("fid_settings", """
            CREATE SEQUENCE ids;
            CREATE TABLE parent (id int DEFAULT nextval('ids'), note text DEFAULT 'x');
            CREATE TABLE child (id int, note text) INHERITS (parent);
            ALTER TABLE child ALTER COLUMN id DROP DEFAULT;
            CREATE TABLE child2 () INHERITS (parent);
            ALTER TABLE child2 ALTER COLUMN note DROP DEFAULT;
            CREATE TABLE parted (a int, b text DEFAULT 'pd') PARTITION BY LIST (a);
            CREATE TABLE parted1 PARTITION OF parted FOR VALUES IN (1);
            ALTER TABLE parted1 ALTER COLUMN b DROP DEFAULT;
            CREATE TABLE gen_parent (a int, b int GENERATED ALWAYS AS (a * 2) STORED);
            CREATE TABLE gen_child (a int, b int) INHERITS (gen_parent);
            INSERT INTO child (note) VALUES ('no id');
            INSERT INTO gen_child (a) VALUES (21);
            CREATE VIEW with_default AS SELECT id, note FROM parent;
            ALTER VIEW with_default ALTER COLUMN note SET DEFAULT 'view default';
            CREATE TABLE keyed (id int PRIMARY KEY WITH (fillfactor = 70), u int, CONSTRAINT keyed_u UNIQUE (u) INCLUDE (id) WITH (fillfactor = 60, deduplicate_items = off) DEFERRABLE);
            CREATE INDEX keyed_expr ON keyed ((u + 1), id);
            ALTER INDEX keyed_expr ALTER COLUMN 1 SET STATISTICS 300;
            CREATE TABLE texts (id int, t text);
            CREATE MATERIALIZED VIEW mv AS SELECT id, t FROM texts;
            ALTER MATERIALIZED VIEW mv ALTER COLUMN id SET STATISTICS 50;
            ALTER MATERIALIZED VIEW mv ALTER COLUMN id SET (n_distinct = 5);
            ALTER MATERIALIZED VIEW mv ALTER COLUMN t SET STORAGE MAIN;
            \if :pg14
            ALTER MATERIALIZED VIEW mv ALTER COLUMN t SET COMPRESSION pglz;
            \endif
            CREATE INDEX mv_expr ON mv ((id * 2));
            ALTER INDEX mv_expr ALTER COLUMN 1 SET STATISTICS 77;
            CREATE STATISTICS keyed_stats ON id, u FROM keyed;
            COMMENT ON STATISTICS keyed_stats IS 'correlated';
            """);

        result.AssertSameAsSource();
        Assert.Contains("    id integer DEFAULT NULL,", result.PlainSql, StringComparison.Ordinal);
        Assert.Contains("PRIMARY KEY (id) WITH (fillfactor='70')", result.PlainSql, StringComparison.Ordinal);
        Assert.Contains("UNIQUE (u) INCLUDE (id) WITH (fillfactor='60', deduplicate_items=off) DEFERRABLE", result.PlainSql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Depends_on_extension_marks_survive()
    {
        var result = await _harness.RunAsync("fid_extmarks", """
            CREATE TABLE t (id int PRIMARY KEY, v int);
            CREATE INDEX t_v ON t (v);
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
            CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
            CREATE TRIGGER t_trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg();
            CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
            CREATE INDEX mv_id ON mv (id);
            CREATE EXTENSION hstore;
            ALTER FUNCTION f() DEPENDS ON EXTENSION hstore;
            ALTER TRIGGER t_trg ON t DEPENDS ON EXTENSION hstore;
            ALTER INDEX t_v DEPENDS ON EXTENSION hstore;
            ALTER INDEX t_pkey DEPENDS ON EXTENSION hstore;
            ALTER MATERIALIZED VIEW mv DEPENDS ON EXTENSION hstore;
            ALTER INDEX mv_id DEPENDS ON EXTENSION hstore;
            """);

        result.AssertSameAsSource();
        Assert.Equal(6, result.Source.Catalog.Count(l => l.StartsWith("pg_depend", StringComparison.Ordinal) && l.EndsWith("extension hstore | x", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Publications_of_tables_with_row_filters_and_column_lists_survive()
    {
        // Row filters and column lists are PostgreSQL 15+; generated columns in column lists and
        // publish_generated_columns 18+ (a virtual generated column may be in a row filter, not in a column list).
        var result = await _harness.RunAsync("fid_pub", """
            CREATE SCHEMA app;
            CREATE TABLE app.orders (id int PRIMARY KEY, status text, secret text);
            CREATE TABLE app.items (id int PRIMARY KEY);
            CREATE TABLE pt (id int, k int) PARTITION BY RANGE (k);
            CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (10);
            \if :pg15
            CREATE PUBLICATION pub_orders FOR TABLE app.orders (id, status) WHERE (status <> 'draft'), app.items WITH (publish = 'insert, update');
            \else
            CREATE PUBLICATION pub_orders FOR TABLE app.orders, app.items WITH (publish = 'insert, update');
            \endif
            CREATE PUBLICATION "Pub Root" FOR TABLE pt WITH (publish_via_partition_root = true);
            CREATE PUBLICATION pub_later;
            COMMENT ON PUBLICATION pub_later IS 'filled later';
            \if :pg15
            ALTER PUBLICATION pub_later ADD TABLE app.items WHERE (id > 10);
            \else
            ALTER PUBLICATION pub_later ADD TABLE app.items;
            \endif
            \if :pg18
            CREATE TABLE app.measured (
                id int CONSTRAINT measured_id_required NOT NULL,
                raw int NOT NULL,
                doubled int GENERATED ALWAYS AS (raw * 2) STORED,
                tripled int GENERATED ALWAYS AS (raw * 3) VIRTUAL);
            INSERT INTO app.measured (id, raw) VALUES (1, 5);
            CREATE PUBLICATION pub_generated FOR TABLE app.measured (id, doubled) WHERE (tripled > 3);
            CREATE PUBLICATION pub_stored FOR TABLE app.measured WITH (publish_generated_columns = stored);
            \endif
            """);

        result.AssertSameAsSource();
        Assert.Contains(
            server.Major >= 15
                ? "ALTER PUBLICATION pub_orders ADD TABLE ONLY app.orders (id, status) WHERE ((status <> 'draft'::text));"
                : "ALTER PUBLICATION pub_orders ADD TABLE ONLY app.orders;",
            result.PlainSql,
            StringComparison.Ordinal);
        if (server.Major >= 18)
        {
            Assert.Contains("CREATE PUBLICATION pub_stored WITH (publish = 'insert, update, delete, truncate', publish_generated_columns = stored);", result.PlainSql, StringComparison.Ordinal);
            // The server keeps a row filter's virtual column expanded (pg_get_expr prints raw * 3).
            Assert.Contains("ALTER PUBLICATION pub_generated ADD TABLE ONLY app.measured (id, doubled) WHERE (((raw * 3) > 3));", result.PlainSql, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Publications_for_all_tables_and_tables_in_schema_survive_a_superuser_restore()
    {
        var result = await _harness.RunAsync(
            "fid_pubschema",
            """
            CREATE SCHEMA app;
            CREATE TABLE app.orders (id int PRIMARY KEY);
            """,
            superuserAfterSetup: """
            CREATE PUBLICATION everything FOR ALL TABLES WITH (publish = 'insert');
            \if :pg15
            CREATE PUBLICATION app_schema FOR TABLES IN SCHEMA app;
            \endif
            """,
            restoreAsSuperuser: true);

        // TABLES IN SCHEMA is PostgreSQL 15+.
        result.AssertSameAsSource();
        Assert.Contains("CREATE PUBLICATION everything FOR ALL TABLES WITH (publish = 'insert');", result.PlainSql, StringComparison.Ordinal);
        Assert.Equal(server.Major >= 15, result.PlainSql.Contains("ALTER PUBLICATION app_schema ADD TABLES IN SCHEMA app;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publications_are_left_out_of_a_schema_list_backup_as_pg_dump_n_does()
    {
        await server.CreateDatabaseAsync("fid_pub_scope");
        await server.ExecuteAsync("CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE PUBLICATION p FOR TABLE app.t", "fid_pub_scope");

        var plan = await CatalogPlanReader.ReadAsync(server, "fid_pub_scope", new CatalogScope(["app"], TimeSpan.FromSeconds(5)));
        Assert.DoesNotContain(plan.Entries, e => e.Desc.StartsWith("PUBLICATION", StringComparison.Ordinal));
        var whole = await CatalogPlanReader.ReadAsync(server, "fid_pub_scope");
        Assert.Contains(whole.Entries, e => e.Desc == "PUBLICATION TABLE" && e.Tag == "p t");
    }

    [Fact]
    public async Task A_subscription_fails_the_backup_naming_it()
    {
        await server.CreateDatabaseAsync("fid_sub");
        await server.ExecuteAsync(
            "CREATE SUBSCRIPTION \"Remote Orders\" CONNECTION 'host=127.0.0.1 dbname=nowhere' PUBLICATION p WITH (connect = false, slot_name = NONE, enabled = false)",
            "fid_sub");

        var e = await Assert.ThrowsAsync<BackupException>(() => CatalogPlanReader.ReadAsync(server, "fid_sub"));
        Assert.Contains("subscription \"Remote Orders\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_security_label_fails_the_backup_naming_the_labelled_object()
    {
        // No label provider is loaded on the test server; the superuser writes the catalog row a provider would.
        await server.CreateDatabaseAsync("fid_seclabel");
        await server.ExecuteAsync(
            """
            CREATE SCHEMA app;
            CREATE TABLE app.t (id int);
            CREATE SCHEMA other;
            INSERT INTO pg_catalog.pg_seclabel VALUES ('app.t'::regclass, 'pg_catalog.pg_class'::regclass, 0, 'dummy', 'classified');
            """,
            "fid_seclabel");

        var e = await Assert.ThrowsAsync<BackupException>(() => CatalogPlanReader.ReadAsync(server, "fid_seclabel"));
        Assert.Contains("security label on table app.t", e.Message, StringComparison.Ordinal);
        var plan = await CatalogPlanReader.ReadAsync(server, "fid_seclabel", new CatalogScope(["other"], TimeSpan.FromSeconds(5)));
        Assert.Contains(plan.Entries, x => x.Desc == "SCHEMA" && x.Tag == "other");
    }
}
