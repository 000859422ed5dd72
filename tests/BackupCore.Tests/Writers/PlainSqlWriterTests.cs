using System.Text;
using BackupCore.Plan;
using BackupCore.Writers;

namespace BackupCore.Tests.Writers;

public sealed class PlainSqlWriterTests
{
    private static DumpEntry Entry(int id, string desc, string tag, DumpSection section, string defn = "", string? drop = null, string? ns = "s") =>
        new() { DumpId = id, Desc = desc, Tag = tag, Section = section, Namespace = ns, Definition = defn, DropStatement = drop };

    [Theory]
    [InlineData("TABLE", "DROP TABLE s.t;\n", "DROP TABLE IF EXISTS s.t;\n")]
    [InlineData("MATERIALIZED VIEW", "DROP MATERIALIZED VIEW s.mv;\n", "DROP MATERIALIZED VIEW IF EXISTS s.mv;\n")]
    [InlineData("CONSTRAINT", "ALTER TABLE ONLY s.t DROP CONSTRAINT t_pkey;\n", "ALTER TABLE IF EXISTS ONLY s.t DROP CONSTRAINT IF EXISTS t_pkey;\n")]
    [InlineData("FK CONSTRAINT", "ALTER TABLE ONLY s.t DROP CONSTRAINT fk;\n", "ALTER TABLE IF EXISTS ONLY s.t DROP CONSTRAINT IF EXISTS fk;\n")]
    [InlineData("DEFAULT", "ALTER TABLE s.t ALTER COLUMN c DROP DEFAULT;\n", "ALTER TABLE IF EXISTS s.t ALTER COLUMN c DROP DEFAULT;\n")]
    [InlineData("TRIGGER", "DROP TRIGGER tr ON s.t;\n", "DROP TRIGGER IF EXISTS tr ON s.t;\n")]
    public void Drop_statements_get_if_exists_where_pg_restore_puts_it(string desc, string drop, string expected)
    {
        Assert.Equal(expected, PlainSqlWriter.DropWithIfExists(Entry(1, desc, "x", DumpSection.PreData, drop: drop)));
    }

    [Fact]
    public void Entries_without_a_drop_statement_are_not_dropped()
    {
        Assert.Null(PlainSqlWriter.DropWithIfExists(Entry(1, "SEQUENCE", "id_seq", DumpSection.PreData, drop: "")));
        Assert.Null(PlainSqlWriter.DropWithIfExists(Entry(1, "COMMENT", "TABLE t", DumpSection.None)));
    }

    [Fact]
    public void A_drop_statement_without_its_keyword_is_an_error_naming_the_object()
    {
        var ex = Assert.Throws<BackupException>(() => PlainSqlWriter.DropWithIfExists(Entry(1, "VIEW", "v1", DumpSection.PreData, drop: "DROP TABLE s.v1;\n")));
        Assert.Contains("VIEW v1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_header_drop_block_reversed_entries_copy_data_and_matview_refresh_last()
    {
        var table = Entry(2, "TABLE", "t", DumpSection.PreData, "CREATE TABLE s.t (\n    a text\n);\n", "DROP TABLE s.t;\n") with { Tablespace = "", TableAccessMethod = "heap" };
        var data = Entry(3, "TABLE DATA", "t", DumpSection.Data) with
        {
            CopyStatement = "COPY s.t (a) FROM stdin;\n",
            Data = new TableDataSource("s", "t", 1, [], "COPY s.t (a) TO STDOUT"),
        };
        var refresh = Entry(4, "MATERIALIZED VIEW DATA", "mv", DumpSection.PostData, "REFRESH MATERIALIZED VIEW s.mv;\n");
        var index = Entry(5, "INDEX", "t_a_idx", DumpSection.PostData, "CREATE INDEX t_a_idx ON s.t USING btree (a);\n", "DROP INDEX s.t_a_idx;\n");
        var schema = Entry(1, "SCHEMA", "s", DumpSection.PreData, "CREATE SCHEMA s;\n", "DROP SCHEMA s;\n", ns: null);
        var plan = new DumpPlan
        {
            DatabaseName = "db",
            ServerVersion = "15.18",
            ServerVersionNumber = 150018,
            Encoding = "UTF8",
            SnapshotTime = DateTimeOffset.UnixEpoch,
            Schemas = ["s"],
            Entries = [schema, table, data, refresh, index],
        };
        using var ms = new MemoryStream();
        await using (var w = new PlainSqlWriter(ms, "1.2.3", leaveOpen: true))
        {
            await w.BeginAsync(plan, default);
            await w.WriteEntryAsync(schema, default);
            await w.WriteEntryAsync(table, default);
            await w.StartDataAsync(data, TableDataForm.CopyText, default);
            await w.WriteDataAsync("x\\ty\n"u8.ToArray(), default);
            await w.WriteDataAsync("z\n"u8.ToArray(), default);
            await w.EndDataAsync(new TableDataStats("s", "t", 2, 6), null, default);
            await w.WriteEntryAsync(refresh, default);
            await w.WriteEntryAsync(index, default);
            await w.CompleteAsync(default);
        }

        var sql = Encoding.UTF8.GetString(ms.ToArray());
        Assert.Contains("DROP INDEX IF EXISTS s.t_a_idx;\nDROP TABLE IF EXISTS s.t;\nDROP SCHEMA IF EXISTS s;\n", sql, StringComparison.Ordinal);
        Assert.Contains("SET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n--\n-- Name: t; Type: TABLE; Schema: s; Owner: -\n--\n\nCREATE TABLE", sql, StringComparison.Ordinal);
        Assert.Contains("-- Data for Name: t; Type: TABLE DATA; Schema: s; Owner: -\n--\n\nCOPY s.t (a) FROM stdin;\nx\\ty\nz\n\\.\n\n\n", sql, StringComparison.Ordinal);
        Assert.True(sql.IndexOf("CREATE INDEX", StringComparison.Ordinal) < sql.IndexOf("REFRESH MATERIALIZED VIEW", StringComparison.Ordinal));
        Assert.EndsWith("-- PostgreSQL database dump complete\n--\n\n", sql, StringComparison.Ordinal);
    }
}
