using System.IO.Compression;
using System.Text;
using BackupCore.Restore;
using BackupCore.Storage;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Restore;

[Collection(PostgresCollection.Name)]
public sealed class PlainSqlRestorerTests(PostgresServer server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-restore-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A hand-written plain dump with the constructs a naive splitter gets wrong.</summary>
    internal const string TrickyDump = """
        --
        -- PostgreSQL database dump
        --

        SET statement_timeout = 0;
        SET client_encoding = 'UTF8';
        SET standard_conforming_strings = on;
        SELECT pg_catalog.set_config('search_path', '', false);
        SET client_min_messages = warning;

        DROP RULE IF EXISTS items_log ON tricky.items;
        DROP FUNCTION IF EXISTS tricky.g();
        DROP FUNCTION IF EXISTS tricky.f(integer);
        DROP TABLE IF EXISTS tricky.notes;
        DROP TABLE IF EXISTS tricky.log;
        DROP TABLE IF EXISTS tricky.items;
        DROP TABLE IF EXISTS tricky.a$b;
        DROP SCHEMA IF EXISTS tricky;

        CREATE SCHEMA tricky;

        /* a block comment; with a semicolon /* and a nested one; */ still a comment; */
        CREATE TABLE tricky.items (
            id integer NOT NULL,
            note text DEFAULT 'semi;colon -- not a comment',
            "weird;name" text,
            data bytea
        );

        COMMENT ON TABLE tricky.items IS 'it''s; a table';

        CREATE TABLE tricky.a$b (c$ integer);

        CREATE FUNCTION tricky.f(x integer) RETURNS text
            LANGUAGE plpgsql
            AS $fn$
        BEGIN
          -- a comment; inside the body
          RETURN 'x;' || $q$;'$q$ || x::text;
        END;
        $fn$;

        CREATE FUNCTION tricky.g() RETURNS integer
            LANGUAGE sql
            BEGIN ATOMIC
             SELECT 1;
             SELECT CASE WHEN true THEN 2 ELSE 3 END;
            END;

        CREATE TABLE tricky.log (msg text);

        CREATE RULE items_log AS ON INSERT TO tricky.items DO ALSO (INSERT INTO tricky.log VALUES ('one;'); INSERT INTO tricky.log VALUES (E'two\';'));

        CREATE TABLE tricky.notes (body text, n integer);

        COPY tricky.items (id, note, "weird;name", data) FROM stdin;
        1	tab\there	back\\slash	\\x00ff
        2	newline\nin;value	\N	\\x
        3	ünïcødé ☃	;	\N
        \.

        COPY tricky.notes (body, n) FROM stdin;
        \\.	1
        \\.\\.	2
        -- not a comment	3
        \.

        INSERT INTO tricky.items (id, note) VALUES (4, E'it\'s; escaped');
        INSERT INTO tricky.a$b VALUES (1);

        ALTER TABLE ONLY tricky.items
            ADD CONSTRAINT items_pkey PRIMARY KEY (id);

        --
        -- PostgreSQL database dump complete
        --

        """;

    private string Write(string name, string content, bool gzip = false)
    {
        var path = Path.Combine(_dir, name);
        var bytes = Encoding.UTF8.GetBytes(content.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (gzip)
        {
            using var fs = File.Create(path);
            using var gz = new GZipStream(fs, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }

        return path;
    }

    private async Task<string> FullDumpAsync(string database)
    {
        var r = (await server.ClientToolAsync("pg_dump", null, "--no-owner", "--no-acl", "-d", database)).EnsureSuccess("pg_dump");
        return string.Join('\n', r.StdOut.Split('\n').Where(l => !l.StartsWith("-- Dumped", StringComparison.Ordinal) && !l.StartsWith('\\')));
    }

    [Fact]
    public async Task A_tricky_hand_written_dump_restores_exactly_as_psql_restores_it()
    {
        var path = Write("tricky.sql", TrickyDump);
        await server.CreateDatabaseAsync("restore_tricky_psql");
        await server.CreateDatabaseAsync("restore_tricky_ib");
        await using (var input = File.OpenRead(path))
        {
            (await server.PsqlAsync("restore_tricky_psql", input: input)).EnsureSuccess("psql");
        }

        var result = await new PlainSqlRestorer().RestoreFileAsync(server.ConnectionString("restore_tricky_ib"), path, new RestoreOptions(), default);

        Assert.Equal(await FullDumpAsync("restore_tricky_psql"), await FullDumpAsync("restore_tricky_ib"));
        Assert.Equal([new LoadedTable("tricky", "items", 3), new LoadedTable("tricky", "notes", 3)], result.Tables);
        Assert.Equal(6, result.Rows);
        Assert.Equal("\\.|\\.\\.|-- not a comment", await server.ScalarAsync<string>("SELECT string_agg(body, '|' ORDER BY n) FROM tricky.notes", "restore_tricky_ib"));
        Assert.Equal(2, await server.ScalarAsync<int>("SELECT tricky.g()", "restore_tricky_ib"));
        Assert.Equal("two';", await server.ScalarAsync<string>("SELECT msg FROM tricky.log WHERE msg LIKE 'two%'", "restore_tricky_ib"));
    }

    [Fact]
    public async Task A_gzip_dump_restores_over_an_existing_database_with_the_same_result()
    {
        var path = Write("tricky.sql.gz", TrickyDump, gzip: true);
        await server.CreateDatabaseAsync("restore_twice");
        var cs = server.ConnectionString("restore_twice");
        await new PlainSqlRestorer().RestoreFileAsync(cs, path, new RestoreOptions(), default);
        var first = await FullDumpAsync("restore_twice");
        await server.ExecuteAsync("INSERT INTO tricky.notes VALUES ('added later', 99)", "restore_twice");

        var progress = new List<RestoreProgress>();
        await new PlainSqlRestorer().RestoreFileAsync(cs, path, new RestoreOptions { Progress = progress.Add }, default);

        Assert.Equal(first, await FullDumpAsync("restore_twice"));
        Assert.Equal(new FileInfo(path).Length, progress[^1].InputBytesRead);
        Assert.Contains(progress, p => p.CurrentTable == "tricky.items");
    }

    [Fact]
    public async Task An_error_in_the_middle_stops_the_restore_and_names_the_line_statement_and_sqlstate()
    {
        var script = "CREATE TABLE ok1 (a int);\nCREATE TABLE ok2 (a int);\n\nINSERT INTO ok1\n  VALUES (1),\n  (2) RETURNING nosuchcolumn;\nCREATE TABLE never (a int);\n";
        var path = Write("broken.sql", script);
        await server.CreateDatabaseAsync("restore_broken");

        var ex = await Assert.ThrowsAsync<RestoreStatementException>(() =>
            new PlainSqlRestorer().RestoreFileAsync(server.ConnectionString("restore_broken"), path, new RestoreOptions(), default));

        Assert.Equal(6, ex.Line);
        Assert.Equal("42703", ex.SqlState);
        Assert.Equal("INSERT INTO ok1", ex.Statement);
        Assert.Contains("script line 6: INSERT INTO ok1: ERROR 42703", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, await server.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'ok2'", "restore_broken"));
        Assert.Equal(0, await server.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'never'", "restore_broken"));
    }

    [Fact]
    public async Task A_bad_copy_row_is_reported_at_its_line_and_the_table_gets_none_of_the_rows()
    {
        var script = "CREATE TABLE nums (n int);\nCOPY nums (n) FROM stdin;\n1\n2\nthree\n4\n\\.\nCREATE TABLE never (a int);\n";
        var path = Write("badcopy.sql", script);
        await server.CreateDatabaseAsync("restore_badcopy");

        var ex = await Assert.ThrowsAsync<RestoreStatementException>(() =>
            new PlainSqlRestorer().RestoreFileAsync(server.ConnectionString("restore_badcopy"), path, new RestoreOptions(), default));

        Assert.Equal(5, ex.Line);
        Assert.Equal("22P02", ex.SqlState);
        Assert.Contains("data of the COPY at line 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await server.ScalarAsync<long>("SELECT count(*) FROM nums", "restore_badcopy"));
    }

    [Fact]
    public async Task In_a_single_transaction_a_failure_leaves_the_database_unchanged()
    {
        var path = Write("tx.sql", "CREATE TABLE t1 (a int);\nSELECT 1/0;\n");
        await server.CreateDatabaseAsync("restore_tx");

        await Assert.ThrowsAsync<RestoreStatementException>(() =>
            new PlainSqlRestorer().RestoreFileAsync(server.ConnectionString("restore_tx"), path, new RestoreOptions { SingleTransaction = true }, default));

        Assert.Equal(0, await server.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 't1'", "restore_tx"));
    }

    [Fact]
    public async Task A_dump_cut_at_a_statement_boundary_is_detected_by_its_missing_trailer()
    {
        var cut = TrickyDump[..TrickyDump.IndexOf("ALTER TABLE ONLY", StringComparison.Ordinal)];
        var path = Write("cut.sql", cut);
        await server.CreateDatabaseAsync("restore_cut");

        var ex = await Assert.ThrowsAsync<BackupException>(() =>
            new PlainSqlRestorer().RestoreFileAsync(server.ConnectionString("restore_cut"), path, new RestoreOptions(), default));

        Assert.Contains("dump complete", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_gzip_file_is_reported_as_damaged()
    {
        var path = Write("trunc.sql.gz", TrickyDump, gzip: true);
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length * 2 / 3)]);
        await server.CreateDatabaseAsync("restore_trunc");

        var ex = await Assert.ThrowsAnyAsync<BackupException>(() =>
            new PlainSqlRestorer().RestoreFileAsync(server.ConnectionString("restore_trunc"), path, new RestoreOptions(), default));

        Assert.Contains("truncated", ex.Message + ex.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pg_dump_plain_script_round_trips_through_the_restorer()
    {
        await server.CreateDatabaseAsync("restore_src");
        // psql, not Npgsql: Npgsql would split the BEGIN ATOMIC body at its semicolon.
        (await server.PsqlAsync("restore_src", """
            CREATE SCHEMA app;
            CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
            CREATE TABLE app.people (id serial PRIMARY KEY, name text NOT NULL, mood app.mood, tags text[], doc jsonb, born date);
            CREATE TABLE app.events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, person int REFERENCES app.people, at timestamptz DEFAULT now(), payload bytea);
            CREATE INDEX ON app.events (person, at);
            CREATE VIEW app.v AS SELECT p.name, count(e.*) FROM app.people p LEFT JOIN app.events e ON e.person = p.id GROUP BY 1;
            CREATE MATERIALIZED VIEW app.mv AS SELECT * FROM app.v;
            CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.at := now(); RETURN NEW; END$$;
            CREATE TRIGGER t BEFORE INSERT ON app.events FOR EACH ROW EXECUTE FUNCTION app.touch();
            CREATE FUNCTION app.atomic(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; END;
            INSERT INTO app.people (name, mood, tags, doc, born)
              SELECT 'p' || g || E'\t;\n''', 'ok', ARRAY['a;b', NULL, '"q"'], jsonb_build_object('k', g, 's', E'x\\y'), DATE '2000-01-01' + g
              FROM generate_series(1, 500) g;
            INSERT INTO app.events (person, payload) SELECT 1 + g % 500, decode(md5(g::text), 'hex') FROM generate_series(1, 3000) g;
            REFRESH MATERIALIZED VIEW app.mv;
            """)).EnsureSuccess("psql setup");
        var dump = (await server.ClientToolAsync("pg_dump", null, "-Fp", "--no-owner", "--no-acl", "--clean", "--if-exists", "-d", "restore_src")).EnsureSuccess("pg_dump");
        var path = Write("roundtrip.sql", dump.StdOut);
        await server.CreateDatabaseAsync("restore_dst");

        var result = await new PlainSqlRestorer().RestoreFileAsync(server.ConnectionString("restore_dst"), path, new RestoreOptions(), default);

        Assert.Equal(await FullDumpAsync("restore_src"), await FullDumpAsync("restore_dst"));
        Assert.Equal(3500, result.Rows);
        var counts = await RowCountCheck.RunAsync(
            server.ConnectionString("restore_dst"),
            [new ManifestTable("app", "people", 500, 0), new ManifestTable("app", "events", 3001, 0), new ManifestTable("app", "gone", 1, 0)],
            default);
        Assert.Equal([(500L, (long?)500L, true), (3001L, 3000L, false), (1L, null, false)], counts.Select(c => (c.Expected, c.Actual, c.Matches)).ToList());
    }

    [Fact]
    public async Task Target_database_is_created_when_missing_and_dropped_on_request()
    {
        var cs = server.ConnectionString("restore_created \"quoted\"");
        await TargetDatabase.DropAsync(cs, default);
        Assert.False(await TargetDatabase.ExistsAsync(cs, default));

        Assert.True(await TargetDatabase.CreateIfMissingAsync(cs, default));
        Assert.False(await TargetDatabase.CreateIfMissingAsync(cs, default));
        Assert.True(await TargetDatabase.ExistsAsync(cs, default));

        await TargetDatabase.DropAsync(cs, default);
        Assert.False(await TargetDatabase.ExistsAsync(cs, default));
    }

    [Fact]
    public async Task A_script_cut_inside_copy_data_aborts_the_copy_and_reports_the_truncation()
    {
        var cut = TrickyDump[..TrickyDump.IndexOf("2\tnewline", StringComparison.Ordinal)];
        var path = Write("cutcopy.sql.gz", cut, gzip: true);
        await server.CreateDatabaseAsync("restore_cutcopy");

        var ex = await Assert.ThrowsAsync<BackupException>(() =>
            new PlainSqlRestorer().RestoreFileAsync(server.ConnectionString("restore_cutcopy"), path, new RestoreOptions(), default));

        Assert.Contains("the input ends inside COPY data", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await server.ScalarAsync<long>("SELECT count(*) FROM tricky.items", "restore_cutcopy"));
    }
}
