using System.Text.RegularExpressions;
using BackupCore.Plan;
using BackupCore.Tests.Fixtures;
using BackupCore.Tests.RoundTrip;

namespace BackupCore.Tests.Catalog;

/// <summary>
/// The plan against real pg_dump 15 on the same database: the same objects (desc, schema, tag) and, for every
/// object, the same DDL text as <c>pg_dump --schema-only --no-owner --no-acl</c> prints it.
/// </summary>
[Collection(PostgresCollection.Name)]
public partial class PgDumpDifferentialTests(PostgresServer server)
{
    [GeneratedRegex(@"^--\n-- Name: (?<tag>[^\n]*); Type: (?<desc>[^\n]*); Schema: (?<ns>[^\n]*); Owner: -\n--\n\n", RegexOptions.Multiline)]
    private static partial Regex EntryHeader();

    /// <summary>Entries of a pg_dump plain script: (desc, schema, tag) → the SQL printed under the header.</summary>
    private static Dictionary<(string Desc, string Ns, string Tag), string> ParsePlain(string script)
    {
        var result = new Dictionary<(string, string, string), string>();
        var matches = EntryHeader().Matches(script);
        for (var i = 0; i < matches.Count; i++)
        {
            var m = matches[i];
            var end = i + 1 < matches.Count ? matches[i + 1].Index : script.IndexOf("--\n-- PostgreSQL database dump complete", m.Index, StringComparison.Ordinal);
            var body = string.Join('\n', script[(m.Index + m.Length)..end].Split('\n').Where(l => !l.StartsWith("SET default_ta", StringComparison.Ordinal))).Trim('\n');
            result[(m.Groups["desc"].Value, m.Groups["ns"].Value, m.Groups["tag"].Value)] = body;
        }

        return result;
    }

    private static Dictionary<(string Desc, string Ns, string Tag), string> FromPlan(DumpPlan plan) =>
        plan.Entries
            .Where(e => e.Section != DumpSection.Data && e.Desc is not ("ENCODING" or "STDSTRINGS" or "SEARCHPATH"))
            .ToDictionary(e => (e.Desc, e.Namespace ?? "-", e.Tag), e => e.Definition.Trim('\n'));

    private Task AssertSameAsPgDumpAsync(string database, params string[] fixtures) => AssertSameAsPgDumpAsync(server, database, fixtures);

    /// <summary>Also for the servers of other majors that pg_dump 15 can read (13, 14).</summary>
    internal static async Task AssertSameAsPgDumpAsync(PostgresServer server, string database, params string[] fixtures)
    {
        await new RoundTripHarness(server).CreateFromFixturesAsync(database, fixtures);
        var pgDump = ParsePlain((await server.ClientToolAsync("pg_dump", null, "--schema-only", "--no-owner", "--no-acl", "-d", database)).EnsureSuccess("pg_dump").StdOut);
        var ours = FromPlan(await CatalogPlanReader.ReadAsync(server, database));

        // COMMENT entries belong to the code-objects sources; compare what this area emits. An entry holding no SQL is
        // left out: pg_dump 15 writes "*not* creating schema" for public when its owner is not pg_database_owner, as on
        // a 13 or 14 server, where the bootstrap superuser owns it.
        var expected = pgDump.Where(kv => kv.Key.Desc != "COMMENT" && kv.Value.Split('\n').Any(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal))).ToDictionary();
        var actual = ours.Where(kv => kv.Key.Desc != "COMMENT").ToDictionary();
        Assert.True(expected.Count > 10, "pg_dump output was not parsed");
        Assert.Equal(expected.Keys.Order().ToList(), actual.Keys.Order().ToList());
        foreach (var (key, sql) in expected)
        {
            Assert.True(sql == actual[key], $"{key}:\n--- pg_dump ---\n{sql}\n--- ours ---\n{actual[key]}");
        }
    }

    [Fact]
    public async Task Relation_objects_match_pg_dump_entry_for_entry()
    {
        await AssertSameAsPgDumpAsync("diffrel", "relations.sql");
    }

    [Fact]
    public async Task Seed_shaped_schemas_match_pg_dump_entry_for_entry()
    {
        await AssertSameAsPgDumpAsync("diffseed", "seed-environments.sql");
    }
}
