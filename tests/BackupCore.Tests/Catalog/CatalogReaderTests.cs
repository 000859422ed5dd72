using BackupCore.Catalog;
using BackupCore.Plan;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Catalog;

[Collection(PostgresCollection.Name)]
public class CatalogReaderTests(PostgresServer server)
{
    [Fact]
    public async Task Plan_starts_with_the_special_entries_and_numbers_densely()
    {
        await server.CreateDatabaseAsync("catrel_special");
        await server.ExecuteAsync("CREATE SCHEMA \"infinite-prod\"; CREATE SCHEMA b", "catrel_special");
        var plan = await CatalogPlanReader.ReadAsync(server, "catrel_special");

        Assert.Equal(["ENCODING", "STDSTRINGS", "SEARCHPATH"], plan.Entries.Take(3).Select(e => e.Desc));
        Assert.Equal("SET client_encoding = 'UTF8';\n", plan.Entries[0].Definition);
        Assert.Equal("SELECT pg_catalog.set_config('search_path', '', false);\n", plan.Entries[2].Definition);
        Assert.Equal(Enumerable.Range(1, plan.Entries.Count), plan.Entries.Select(e => e.DumpId));
        var schema = plan.Single("SCHEMA", "infinite-prod");
        Assert.Equal("CREATE SCHEMA \"infinite-prod\";\n", schema.Definition);
        Assert.Equal("DROP SCHEMA \"infinite-prod\";\n", schema.DropStatement);
        Assert.DoesNotContain(plan.Entries, e => e.Desc == "SCHEMA" && e.Tag == "public");
        Assert.Equal(["b", "infinite-prod", "public"], plan.Schemas);
    }

    [Fact]
    public async Task A_missing_schema_fails_naming_it()
    {
        await server.CreateDatabaseAsync("catrel_missing");
        var e = await Assert.ThrowsAsync<BackupException>(() => CatalogPlanReader.ReadAsync(server, "catrel_missing", new CatalogScope(["public", "nope-schema"], TimeSpan.FromSeconds(5))));
        Assert.Contains("\"nope-schema\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sections_are_monotone_in_the_plan()
    {
        await server.CreateDatabaseAsync("catrel_sections");
        await server.ExecuteAsync("CREATE SCHEMA s; CREATE TABLE s.t (id int PRIMARY KEY, v text); INSERT INTO s.t VALUES (1, 'x')", "catrel_sections");
        var plan = await CatalogPlanReader.ReadAsync(server, "catrel_sections");
        var sections = plan.Entries.Where(e => e.Section != DumpSection.None).Select(e => (int)e.Section).ToList();
        Assert.Equal(sections.Order(), sections);
    }

    [Fact]
    public async Task With_a_schema_list_only_the_extensions_the_dumped_objects_use_are_dumped_and_never_dropped()
    {
        await server.CreateDatabaseAsync("catrel_ext");
        await server.ExecuteAsync(
            """
            CREATE EXTENSION citext;
            CREATE EXTENSION "uuid-ossp";
            CREATE SCHEMA a;
            CREATE TABLE a.users (id uuid DEFAULT public.uuid_generate_v4() PRIMARY KEY, email public.citext UNIQUE, nick citext);
            CREATE SCHEMA b;
            CREATE TABLE b.t (id int);
            """,
            "catrel_ext");

        var onlyB = await CatalogPlanReader.ReadAsync(server, "catrel_ext", new CatalogScope(["b"], TimeSpan.FromSeconds(5)));
        Assert.DoesNotContain(onlyB.Entries, e => e.Desc == "EXTENSION");

        var onlyA = await CatalogPlanReader.ReadAsync(server, "catrel_ext", new CatalogScope(["a"], TimeSpan.FromSeconds(5)));
        var extensions = onlyA.Entries.Where(e => e.Desc == "EXTENSION").ToList();
        Assert.Equal(["citext", "uuid-ossp"], extensions.Select(e => e.Tag).Order());
        Assert.All(extensions, e => Assert.Null(e.DropStatement));
        Assert.Equal("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public;\n", onlyA.Single("EXTENSION", "uuid-ossp").Definition);
        Assert.True(extensions.Max(e => e.DumpId) < onlyA.Single("TABLE", "users").DumpId);
        var email = onlyA.Single("TABLE DATA", "users").Data!.Columns.Single(c => c.Name == "email");
        Assert.Equal((ColumnValueKind.Text, true), (email.Kind, email.IsUniqueOrKey));
        Assert.False(onlyA.Single("TABLE DATA", "users").Data!.Columns.Single(c => c.Name == "nick").IsUniqueOrKey);

        var all = await CatalogPlanReader.ReadAsync(server, "catrel_ext");
        Assert.Equal("DROP EXTENSION citext;\n", all.Single("EXTENSION", "citext").DropStatement);
    }
}
