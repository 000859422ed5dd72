using System.Data;
using BackupCore.Catalog;
using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.Fidelity;

/// <summary>
/// Issue 18's restore breakers, each against pg_dump 15 (<see cref="FidelityHarness"/>): our NAME.gz restored twice and
/// NAME.dump restore what pg_dump's own output restores, as the database's non-superuser owner.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RestoreBreakerTests(PostgresServer server)
{
    private readonly FidelityHarness _harness = new(server);

    [Fact]
    public async Task Not_valid_check_on_a_partitioned_table_is_written_once_for_the_parent()
    {
        var result = await _harness.RunAsync("fid_notvalid", """
            CREATE TABLE m (d date) PARTITION BY RANGE (d);
            CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            CREATE TABLE m0 PARTITION OF m FOR VALUES FROM ('1990-01-01') TO ('2000-01-01');
            INSERT INTO m VALUES ('1999-05-05'), ('2025-03-03');
            ALTER TABLE m ADD CONSTRAINT c CHECK (d > '2000-01-01') NOT VALID;
            COMMENT ON CONSTRAINT c ON m IS 'on the parent';
            COMMENT ON CONSTRAINT c ON m1 IS 'on the inherited copy';
            CREATE TABLE inh_parent (x int);
            CREATE TABLE inh_child () INHERITS (inh_parent);
            INSERT INTO inh_child VALUES (-1);
            ALTER TABLE inh_parent ADD CONSTRAINT positive CHECK (x > 0) NOT VALID;
            CREATE TABLE after_it (id int PRIMARY KEY);
            """);

        result.AssertOursMatchPgDump();
        result.AssertPgDumpMatchesSource();
        Assert.Equal(2, result.PlainSql.Split("ADD CONSTRAINT c CHECK").Length);
    }

    [Fact]
    public async Task Backslashes_survive_a_database_with_standard_conforming_strings_off()
    {
        var result = await _harness.RunAsync(
            "fid_stdstrings",
            """
            SET standard_conforming_strings = on;
            CREATE TYPE drive AS ENUM ('C:\temp', 'D:\new');
            CREATE TABLE paths (id int, p text DEFAULT 'a\b' CHECK (p <> 'x\y'), d drive DEFAULT 'C:\temp');
            CREATE VIEW path_view AS SELECT 'q\r' AS x, p FROM paths;
            CREATE FUNCTION quoted() RETURNS text LANGUAGE sql AS 'SELECT ''z\w''';
            COMMENT ON TABLE paths IS 'see C:\temp';
            INSERT INTO paths VALUES (1, 'r\s', 'D:\new');
            """,
            databaseSettings: ["standard_conforming_strings = off"]);

        result.AssertOursMatchPgDump();
        result.AssertPgDumpMatchesSource();
        Assert.Contains("SET standard_conforming_strings = on;", result.PlainSql, StringComparison.Ordinal);
        Assert.Contains("'C:\\temp'", result.PlainSql, StringComparison.Ordinal);
        Assert.Contains(result.Source.Catalog, l => l.Contains("C:\\\\temp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Materialized_view_over_an_unpopulated_one_is_left_empty_like_pg_dump_does()
    {
        var result = await _harness.RunAsync("fid_matview", """
            CREATE TABLE base (id int);
            INSERT INTO base VALUES (1), (2);
            CREATE MATERIALIZED VIEW mv1 AS SELECT id FROM base;
            CREATE VIEW v1 AS SELECT id FROM mv1;
            CREATE MATERIALIZED VIEW mv2 AS SELECT id FROM mv1;
            CREATE MATERIALIZED VIEW mv3 AS SELECT id FROM v1;
            CREATE MATERIALIZED VIEW mv4 AS SELECT id FROM mv2;
            CREATE MATERIALIZED VIEW unrelated AS SELECT id FROM base;
            REFRESH MATERIALIZED VIEW mv1 WITH NO DATA;
            """);

        result.AssertOursMatchPgDump();
        Assert.Contains("public.mv2 | 2:", string.Join('\n', result.Source.Data), StringComparison.Ordinal);
        Assert.Contains("public.mv2 | not populated", result.OursPlain.Data);
        Assert.Contains("public.mv4 | not populated", result.OursPlain.Data);
        Assert.Contains("public.mv3 | not populated", result.OursArchive.Data);
        Assert.DoesNotContain("public.unrelated | not populated", result.OursPlain.Data);
        Assert.DoesNotContain("REFRESH MATERIALIZED VIEW public.mv2", result.PlainSql, StringComparison.Ordinal);
        Assert.Contains("REFRESH MATERIALIZED VIEW public.unrelated", result.PlainSql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_begin_atomic_functions_used_by_one_tables_check_and_default_are_dumped()
    {
        var result = await _harness.RunAsync("fid_loop2", """
            CREATE TABLE t (id int, v int);
            CREATE FUNCTION cnt() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM public.t; END;
            CREATE FUNCTION mx() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT coalesce(max(id), 0) FROM public.t; END;
            ALTER TABLE t ADD CONSTRAINT small CHECK (cnt() < 1000);
            ALTER TABLE t ALTER COLUMN v SET DEFAULT mx();
            INSERT INTO t VALUES (1, 2);
            CREATE DOMAIN positive AS int;
            CREATE TABLE uses_domain (x positive);
            CREATE FUNCTION below_count(int) RETURNS bool LANGUAGE sql BEGIN ATOMIC SELECT $1 >= (SELECT count(*) FROM public.uses_domain); END;
            ALTER DOMAIN positive ADD CONSTRAINT counted CHECK (below_count(VALUE));
            INSERT INTO uses_domain VALUES (5);
            """);

        result.AssertOursMatchPgDump();
        result.AssertPgDumpMatchesSource();
    }

    [Fact]
    public async Task Function_view_and_matview_that_group_by_a_primary_key_are_postponed_like_pg_dump_does()
    {
        var result = await _harness.RunAsync("fid_boundary", """
            CREATE TABLE p (id int PRIMARY KEY, name text COLLATE "C");
            INSERT INTO p VALUES (1, 'a'), (2, 'b');
            CREATE VIEW vg WITH (security_barrier = true) AS SELECT id, name FROM p GROUP BY id;
            CREATE VIEW on_vg AS SELECT name FROM vg;
            CREATE MATERIALIZED VIEW mg AS SELECT id, name FROM p GROUP BY id;
            CREATE FUNCTION fg() RETURNS SETOF text LANGUAGE sql BEGIN ATOMIC SELECT name FROM p GROUP BY id; END;
            COMMENT ON VIEW vg IS 'grouped';
            """);

        result.AssertOursMatchPgDump();
        result.AssertPgDumpMatchesSource();
        Assert.Contains("CREATE VIEW public.vg AS\nSELECT\n    NULL::integer AS id,\n    NULL::text COLLATE pg_catalog.\"C\" AS name;", result.PlainSql, StringComparison.Ordinal);
        Assert.Contains("-- Name: vg _RETURN; Type: RULE;", result.PlainSql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_catalog_read_in_a_session_with_standard_conforming_strings_off_is_refused()
    {
        await server.CreateDatabaseAsync("fid_stdstrings_session");
        await using var connection = new NpgsqlConnection(server.ConnectionString("fid_stdstrings_session"));
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        await using (var cmd = new NpgsqlCommand("SET LOCAL search_path = ''; SET LOCAL standard_conforming_strings = off", connection, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var info = await ServerInfo.ReadAsync(connection, CancellationToken.None);
        var e = await Assert.ThrowsAsync<BackupException>(() => new CatalogReader().ReadAsync(connection, info, CatalogScope.AllSchemas, CancellationToken.None));
        Assert.Contains("standard_conforming_strings is off", e.Message, StringComparison.Ordinal);
    }
}
