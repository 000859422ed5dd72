using BackupCore.Plan;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Catalog;

/// <summary>
/// The value shapes the anonymizer walks: hstore, citext, enum, tsvector, bytea, and composites with their fields; on every
/// major 13 to 18 (one derived class per major, <see cref="Pg13CopyColumnShapeTests"/>, ...). Generated columns (stored,
/// and from 18 virtual) are no COPY columns.
/// </summary>
public abstract class CopyColumnShapeTests(PostgresServer server)
{
    [Fact]
    public async Task Columns_describe_extension_types_enums_and_nested_composite_fields_through_domains_and_arrays()
    {
        await server.CreateDatabaseAsync("catalog_shapes");
        (await server.PsqlAsync("catalog_shapes", PsqlVersionFlags.Line + """
            CREATE EXTENSION hstore;
            CREATE EXTENSION citext;
            CREATE SCHEMA s;
            CREATE TYPE s.mood AS ENUM ('ok');
            CREATE DOMAIN s.email AS public.citext;
            CREATE TYPE s.inner AS (e s.email, code character varying(12)[], gone int, m s.mood);
            ALTER TYPE s.inner DROP ATTRIBUTE gone;
            CREATE TYPE s.outer AS (i s.inner, h public.hstore, doc jsonb, b bytea);
            CREATE DOMAIN s.outer_checked AS s.outer CHECK (VALUE IS NOT NULL);
            CREATE TYPE s.citext AS (x int); -- a type named citext outside the extension is no citext
            CREATE TABLE s.t (
                h public.hstore, hs public.hstore[], e s.email UNIQUE, m s.mood, ts tsvector, b bytea[],
                o s.outer_checked, os s.outer[], fake s.citext,
                stored int GENERATED ALWAYS AS (length(ts)) STORED);
            \if :pg18
            ALTER TABLE s.t ADD COLUMN virtual int GENERATED ALWAYS AS (length(ts) + 1) VIRTUAL, ADD COLUMN after_virtual int;
            \endif
            """)).EnsureSuccess("fixture");

        var plan = await CatalogPlanReader.ReadAsync(server, "catalog_shapes");
        var columns = plan.Single("TABLE DATA", "t").Data!.Columns.ToDictionary(c => c.Name);

        Assert.Equal((ColumnValueKind.Hstore, false), (columns["h"].Kind, columns["h"].IsArray));
        Assert.Equal((ColumnValueKind.Hstore, true), (columns["hs"].Kind, columns["hs"].IsArray));
        Assert.Equal((ColumnValueKind.Text, true, true), (columns["e"].Kind, columns["e"].CaseInsensitive, columns["e"].IsUniqueOrKey));
        Assert.Equal(ColumnValueKind.Enum, columns["m"].Kind);
        Assert.Equal(ColumnValueKind.TsVector, columns["ts"].Kind);
        Assert.Equal((ColumnValueKind.Bytea, true), (columns["b"].Kind, columns["b"].IsArray));
        Assert.Equal((ColumnValueKind.Composite, false), (columns["fake"].Kind, columns["fake"].CaseInsensitive));
        Assert.Equal(
            server.Major >= 18 ? ["h", "hs", "e", "m", "ts", "b", "o", "os", "fake", "after_virtual"] : ["h", "hs", "e", "m", "ts", "b", "o", "os", "fake"],
            plan.Single("TABLE DATA", "t").Data!.Columns.Select(c => c.Name));

        var outer = columns["o"];
        Assert.Equal((ColumnValueKind.Composite, false, "s.outer_checked"), (outer.Kind, outer.IsArray, outer.TypeName));
        Assert.Equal(["i", "h", "doc", "b"], outer.Fields!.Select(f => f.Name));
        Assert.Equal(
            [ColumnValueKind.Composite, ColumnValueKind.Hstore, ColumnValueKind.Json, ColumnValueKind.Bytea],
            outer.Fields!.Select(f => f.Kind));
        var inner = outer.Fields![0].Fields!;
        Assert.Equal(["e", "code", "m"], inner.Select(f => f.Name)); // the dropped attribute is not printed by record_out
        Assert.Equal((ColumnValueKind.Text, true), (inner[0].Kind, inner[0].CaseInsensitive));
        Assert.Equal((ColumnValueKind.Text, true, (int?)12, "character varying(12)[]"), (inner[1].Kind, inner[1].IsArray, inner[1].MaxLength, inner[1].TypeName));
        Assert.Equal(ColumnValueKind.Enum, inner[2].Kind);

        var outers = columns["os"];
        Assert.Equal((ColumnValueKind.Composite, true, 4), (outers.Kind, outers.IsArray, outers.Fields!.Count));
        Assert.Equal(["x"], columns["fake"].Fields!.Select(f => f.Name));
    }
}
