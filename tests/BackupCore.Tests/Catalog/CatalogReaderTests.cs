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
}
