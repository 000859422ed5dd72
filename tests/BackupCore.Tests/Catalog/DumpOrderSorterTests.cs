using BackupCore.Catalog;
using BackupCore.Plan;

namespace BackupCore.Tests.Catalog;

public class DumpOrderSorterTests
{
    private static CatalogObject Obj(string tag, int priority, DumpSection section = DumpSection.PreData, string? ns = "s") =>
        new() { Desc = "X", Tag = tag, Priority = priority, Section = section, Namespace = ns };

    private static string Order(IReadOnlyList<CatalogObject> objects, params (int, int)[] deps) =>
        string.Join(",", DumpOrderSorter.Sort(objects, deps).Select(i => objects[i].Tag));

    [Fact]
    public void Independent_objects_sort_by_priority_then_namespace_then_name()
    {
        var objects = new[] { Obj("b", 20), Obj("a", 20), Obj("z", 6), Obj("A", 20, ns: "r") };
        Assert.Equal("z,A,a,b", Order(objects));
    }

    [Fact]
    public void A_dependency_pulls_the_referenced_object_forward_next_to_its_user_like_pg_dump()
    {
        // pg_dump observed: Orders, Orders_seq, users, active_users, active_user_orders, order_totals.
        var objects = new[] { Obj("Orders", 20), Obj("Orders_seq", 20), Obj("active_user_orders", 20), Obj("active_users", 20), Obj("order_totals", 20), Obj("users", 20) };
        Assert.Equal("Orders,Orders_seq,users,active_users,active_user_orders,order_totals", Order(objects, (2, 3), (3, 5), (4, 0)));
    }

    [Fact]
    public void Sections_stay_monotone_even_against_priority()
    {
        var objects = new[] { Obj("post", 1, DumpSection.PostData), Obj("data", 1, DumpSection.Data), Obj("pre", 40) };
        Assert.Equal("pre,data,post", Order(objects));
    }

    [Fact]
    public void Section_none_objects_follow_the_object_they_depend_on()
    {
        var objects = new[] { Obj("t1", 20), Obj("t2", 20), Obj("z comment on t1", 0, DumpSection.None), Obj("i", 31, DumpSection.PostData), Obj("a comment on t1", 0, DumpSection.None) };
        Assert.Equal("t1,z comment on t1,a comment on t1,t2,i", Order(objects, (2, 0), (4, 0)));
    }

    [Fact]
    public void A_loop_is_reported_with_its_members()
    {
        var objects = new[] { Obj("a", 20), Obj("b", 20), Obj("c", 20) };
        var e = Assert.Throws<DependencyCycleException>(() => DumpOrderSorter.Sort(objects, [(0, 1), (1, 0), (2, 0)]));
        Assert.Equal([0, 1], e.Members.Order());
    }

    [Fact]
    public void Function_overloads_sort_by_name_then_argument_count_like_pg_dump()
    {
        var objects = new[] { Obj("Select(\"s\".mood[], text[])", 8), Obj("Select(text)", 8), Obj("Select()", 8), Obj("Select(integer, integer)", 8), Obj("Sel(a, b, c)", 8) };
        Assert.Equal("Sel(a, b, c),Select(),Select(text),Select(\"s\".mood[], text[]),Select(integer, integer)", Order(objects));
    }

    [Fact]
    public void Constraints_sort_by_their_own_name_before_their_table()
    {
        var objects = new[] { Obj("b_table a_pk", 30, DumpSection.PostData) with { SortTag = "a_pk" }, Obj("a_table z_pk", 30, DumpSection.PostData) with { SortTag = "z_pk" } };
        Assert.Equal("b_table a_pk,a_table z_pk", Order(objects));
    }
}
