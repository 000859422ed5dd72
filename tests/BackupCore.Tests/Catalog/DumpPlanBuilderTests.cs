using BackupCore.Catalog;
using BackupCore.Plan;

namespace BackupCore.Tests.Catalog;

public class DumpPlanBuilderTests
{
    private static readonly CatalogObjectId Function = new(CatalogClassIds.PgProc, 20000);
    private static readonly CatalogObjectId Table = CatalogClassIds.Class(20001);
    private static readonly CatalogObjectId RowType = CatalogClassIds.Type(20002);
    private static readonly CatalogObjectId ColumnDefault = new(CatalogClassIds.PgAttrdef, 20003);

    private static CatalogObject TableObject(bool withDefault) => new()
    {
        Id = Table,
        Desc = "TABLE",
        Tag = "t",
        Namespace = "s",
        Section = DumpSection.PreData,
        Definition = withDefault ? "CREATE TABLE s.t (x s.t DEFAULT s.f());\n" : "CREATE TABLE s.t (x s.t);\n",
        Priority = ObjectPriority.Table,
        DetachableParts = withDefault
            ? [new DetachablePart(ColumnDefault, new CatalogObject
            {
                Id = ColumnDefault,
                Desc = "DEFAULT",
                Tag = "t x",
                Namespace = "s",
                Section = DumpSection.PreData,
                Definition = "ALTER TABLE ONLY s.t ALTER COLUMN x SET DEFAULT s.f();\n",
                Priority = ObjectPriority.AttrDef,
            })]
            : [],
        Without = _ => TableObject(false),
    };

    private static CatalogObject FunctionObject() => new()
    {
        Id = Function,
        Desc = "FUNCTION",
        Tag = "f()",
        Namespace = "s",
        Section = DumpSection.PreData,
        Definition = "CREATE FUNCTION s.f() RETURNS s.t ...;\n",
        Priority = ObjectPriority.Function,
    };

    private static CatalogDependencies Dependencies(params (CatalogObjectId, CatalogObjectId, char)[] edges) =>
        new(new Dictionary<CatalogObjectId, CatalogObjectId> { [ColumnDefault] = Table, [RowType] = Table }, edges.ToList());

    [Fact]
    public void A_default_calling_a_function_that_returns_the_tables_row_type_becomes_a_separate_DEFAULT_entry()
    {
        var deps = Dependencies((ColumnDefault, Function, 'n'), (ColumnDefault, Table, 'a'), (Function, RowType, 'n'));
        var entries = DumpPlanBuilder.Build([], [FunctionObject(), TableObject(true)], deps);

        Assert.Equal(["TABLE", "FUNCTION", "DEFAULT"], entries.Select(e => e.Desc));
        Assert.DoesNotContain("DEFAULT", entries[0].Definition, StringComparison.Ordinal);
        Assert.Equal([1, 2], entries[2].Dependencies);
        Assert.Equal([1], entries[1].Dependencies);
    }

    [Fact]
    public void Without_a_loop_the_default_stays_inline()
    {
        var deps = Dependencies((ColumnDefault, Function, 'n'), (ColumnDefault, Table, 'a'));
        var entries = DumpPlanBuilder.Build([], [FunctionObject(), TableObject(true)], deps);

        Assert.Equal(["FUNCTION", "TABLE"], entries.Select(e => e.Desc));
        Assert.Contains("DEFAULT s.f()", entries[1].Definition, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loop_nothing_can_break_fails_naming_the_objects()
    {
        var other = FunctionObject() with { Id = CatalogClassIds.Class(20010), Desc = "TABLE", Tag = "u", Priority = ObjectPriority.Table };
        var deps = Dependencies((Table, other.Id!.Value, 'n'), (other.Id!.Value, Table, 'n'));
        var e = Assert.Throws<BackupException>(() => DumpPlanBuilder.Build([], [TableObject(false), other], deps));
        Assert.Contains("table \"s\".\"t\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("table \"s\".\"u\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extensions_needed_only_if_referenced_are_dropped_when_nothing_uses_them()
    {
        CatalogObject Extension(uint oid, string name) => new()
        {
            Id = new CatalogObjectId(CatalogClassIds.PgExtension, oid),
            Desc = "EXTENSION",
            Tag = name,
            Section = DumpSection.PreData,
            Priority = ObjectPriority.Extension,
            OnlyIfReferenced = true,
        };
        var member = new CatalogObjectId(CatalogClassIds.PgProc, 30000);
        var deps = new CatalogDependencies(
            new Dictionary<CatalogObjectId, CatalogObjectId> { [member] = new(CatalogClassIds.PgExtension, 1), [ColumnDefault] = Table },
            [(ColumnDefault, member, 'n')]);
        var entries = DumpPlanBuilder.Build([], [Extension(1, "uuid-ossp"), Extension(2, "citext"), TableObject(false)], deps);

        Assert.Equal(["uuid-ossp", "t"], entries.Select(e => e.Tag));
        Assert.Equal([1], entries[1].Dependencies);
    }
}
