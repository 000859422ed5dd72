using BackupCore.Tests.Catalog;
using BackupCore.Tests.Fixtures;
using BackupCore.Tests.RoundTrip;

namespace BackupCore.Tests.Fidelity;

/// <summary>
/// The general fidelity test of issue 18, on every major 13 to 18 (one derived class per major,
/// <see cref="Pg13EveryOptionTests"/>, ...): one database (Fixtures/Sql/every-option.sql) that uses every object kind and
/// option the catalog sources write, as far as the server's major has it, restores identical to the source (and, up to
/// 15, to pg_dump 15's restore) from NAME.gz (twice) and NAME.dump (serially and with -j 2); and the fixture really
/// exercises every kind of entry and every catalog column the comparison reads on that major, so an option a source
/// drops (or a column a new server version adds) cannot go unnoticed by leaving it at its default.
/// </summary>
public abstract class EveryOptionTests(PostgresServer server)
{
    private const string Fixture = "every-option.sql";

    /// <summary>
    /// Every entry type the sources write (ENCODING, STDSTRINGS and SEARCHPATH come first in every plan), except PUBLICATION
    /// TABLES IN SCHEMA, which needs a superuser (SilentLossTests).
    /// </summary>
    private static readonly string[] EntryKinds =
    [
        "SCHEMA", "EXTENSION", "TYPE", "DOMAIN", "SEQUENCE", "SEQUENCE OWNED BY", "SEQUENCE SET", "TABLE", "DEFAULT", "TABLE ATTACH",
        "TABLE DATA", "CHECK CONSTRAINT", "CONSTRAINT", "FK CONSTRAINT", "INDEX", "INDEX ATTACH", "STATISTICS", "FUNCTION", "PROCEDURE",
        "AGGREGATE", "VIEW", "MATERIALIZED VIEW", "MATERIALIZED VIEW DATA", "TRIGGER", "RULE", "POLICY", "ROW SECURITY", "COMMENT",
        "PUBLICATION", "PUBLICATION TABLE", "BLOB", "BLOBS",
    ];

    /// <summary>
    /// Compared catalog columns that keep one value in the fixture, and why that is acceptable. Everything else must vary.
    /// </summary>
    private static readonly Dictionary<string, string> SingleValued = new(StringComparer.Ordinal)
    {
        ["pg_class.relisshared"] = "only system catalogs are shared",
        ["pg_attribute.attisdropped"] = "a dump never restores a dropped column",
        ["pg_attribute.attfdwoptions"] = "foreign tables fail the backup (UnsupportedObjectSource)",
        ["pg_type.typisdefined"] = "a shell type fails the backup (UnsupportedObjectSource)",
        ["pg_type.typdelim"] = "only base types choose a delimiter; they fail the backup",
        ["pg_type.typispreferred"] = "only base types are preferred; they fail the backup",
        ["pg_index.indisvalid"] = "an invalid index is not dumped (pg_dump getIndexes skips it too)",
        ["pg_index.indisready"] = "as indisvalid",
        ["pg_index.indislive"] = "as indisvalid",
        ["pg_inherits.inhdetachpending"] = "a DETACH CONCURRENTLY in progress; pg_dump writes the partition attached",
        ["pg_trigger.tgisinternal"] = "internal triggers belong to their constraint and are not compared",
        ["pg_extension.extrelocatable"] = "a property of the extension's control file, not of the database",
        ["pg_extension.extversion"] = "a dump restores every extension at its default version (no VERSION, as pg_dump); on 18 the fixture's three are all 1.8",
        ["pg_extension.extcondition"] = "no extension on the test server has configuration tables (ExtensionConfigTests fakes one)",
        ["pg_publication.puballtables"] = "FOR ALL TABLES needs a superuser (SilentLossTests covers it with a superuser restore)",
        ["pg_proc.proleakproof"] = "LEAKPROOF needs a superuser (FunctionSource writes it; the code fixture's differential test)",
    };

    [Fact]
    public async Task Every_object_kind_and_option_restores_identical_to_the_source_and_to_pg_dump()
    {
        var result = await new FidelityHarness(server).RunAsync("fid_every", RoundTripHarness.FixtureSql(Fixture));

        result.AssertSameAsSource();
    }

    [Fact]
    public async Task The_fixture_has_every_entry_kind_the_sources_write()
    {
        await new RoundTripHarness(server).CreateFromFixturesAsync("fid_every_kinds", Fixture);

        var plan = await CatalogPlanReader.ReadAsync(server, "fid_every_kinds");

        var missing = EntryKinds.Except(plan.Entries.Select(e => e.Desc)).ToList();
        Assert.True(missing.Count == 0, "the fixture lacks: " + string.Join(", ", missing));
        var unknown = plan.Entries.Select(e => e.Desc).Distinct().Except(EntryKinds).Except(["ENCODING", "STDSTRINGS", "SEARCHPATH"]).ToList();
        Assert.True(unknown.Count == 0, "a source writes an entry kind this test does not list: " + string.Join(", ", unknown));
    }

    [Fact]
    public async Task The_fixture_exercises_every_catalog_column_the_comparison_reads()
    {
        await new RoundTripHarness(server).CreateFromFixturesAsync("fid_every_columns", Fixture);

        var variation = await CatalogFingerprint.ColumnVariationAsync(server, "fid_every_columns");

        var unexercised = variation.Where(v => v.Value < 2 && !SingleValued.ContainsKey(v.Key)).Select(v => v.Key).Order(StringComparer.Ordinal).ToList();
        Assert.True(unexercised.Count == 0, "catalog columns the fixture leaves at one value (use the option in every-option.sql, or list why not):\n" + string.Join('\n', unexercised));
    }
}
