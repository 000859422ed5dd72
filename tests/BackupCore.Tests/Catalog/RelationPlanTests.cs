using BackupCore.Catalog;
using BackupCore.Plan;
using BackupCore.Tests.Fixtures;
using BackupCore.Tests.RoundTrip;

namespace BackupCore.Tests.Catalog;

/// <summary>Assertions on the entries the relation sources produce for the relations fixture.</summary>
[Collection(PostgresCollection.Name)]
public class RelationPlanTests(PostgresServer server) : IAsyncLifetime
{
    private DumpPlan _plan = null!;

    public async Task InitializeAsync()
    {
        await new RoundTripHarness(server).CreateFromFixturesAsync("catrel_plan", "relations.sql");
        _plan = await CatalogPlanReader.ReadAsync(server, "catrel_plan");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private CopyColumn Column(string table, string column) =>
        _plan.Single("TABLE DATA", table).Data!.Columns.Single(c => c.Name == column);

    [Fact]
    public void Copy_columns_see_through_domains_and_arrays()
    {
        Assert.Equal((ColumnValueKind.Text, false, (int?)null), (Column("kinds", "email").Kind, Column("kinds", "email").IsArray, Column("kinds", "email").MaxLength));
        var code = Column("kinds", "code");
        Assert.Equal((ColumnValueKind.Text, 8, true), (code.Kind, code.MaxLength, code.NotNull));
        var codes = Column("kinds", "codes");
        Assert.Equal((ColumnValueKind.Text, true, 8, false), (codes.Kind, codes.IsArray, codes.MaxLength, codes.NotNull));
        Assert.Equal(20, Column("kinds", "select").MaxLength);
        Assert.Equal(3, Column("kinds", "fixed").MaxLength);
        Assert.Equal(ColumnValueKind.Json, Column("kinds", "doc").Kind);
        Assert.Equal(ColumnValueKind.Xml, Column("kinds", "x").Kind);
        Assert.Equal((ColumnValueKind.Enum, true), (Column("kinds", "moods").Kind, Column("kinds", "moods").IsArray));
        Assert.Equal((ColumnValueKind.Other, true), (Column("kinds", "ids").Kind, Column("kinds", "ids").IsArray));
        Assert.Equal("character varying(20)", Column("kinds", "select").TypeName);
        Assert.DoesNotContain(_plan.Single("TABLE DATA", "kinds").Data!.Columns, c => c.Name == "price_with_tax");
    }

    [Fact]
    public void Key_columns_include_unique_expression_and_partial_indexes_and_both_ends_of_foreign_keys()
    {
        Assert.True(Column("kinds", "id").IsUniqueOrKey);
        Assert.True(Column("kinds", "email").IsUniqueOrKey);
        Assert.True(Column("kinds", "code").IsUniqueOrKey);
        Assert.False(Column("kinds", "mood").IsUniqueOrKey);
        Assert.False(Column("kinds", "doc").IsUniqueOrKey);
        Assert.True(Column("node", "parent_id").IsUniqueOrKey);
        Assert.True(Column("a", "node_id").IsUniqueOrKey);
        Assert.True(Column("readings_note_all", "kind_id").IsUniqueOrKey);
        Assert.False(Column("values_zoo", "t").IsUniqueOrKey);
        Assert.True(Column("kinds", "serial_no").NotNull);
        Assert.False(Column("kinds", "amount").NotNull);
    }

    [Fact]
    public void Table_data_entries_depend_only_on_their_table_and_skip_partitioned_parents()
    {
        foreach (var data in _plan.TableDataEntries)
        {
            var table = _plan.Single("TABLE", data.Tag);
            Assert.Equal([table.DumpId], data.Dependencies);
            Assert.Equal(data.Data!.RelationOid.ToString(System.Globalization.CultureInfo.InvariantCulture), data.Oid);
        }

        Assert.DoesNotContain(_plan.TableDataEntries, e => e.Tag is "measurements" or "by_list" or "by_list_ab" or "readings_note");
        var empty = _plan.Single("TABLE DATA", "empty_cols");
        Assert.Equal("COPY rel.empty_cols  FROM stdin;\n", empty.CopyStatement);
        Assert.Equal("COPY rel.empty_cols TO STDOUT", empty.Data!.CopyToSql);
        Assert.Equal(
            "COPY \"Odd Schema \"\"q\"\"\".\"Weird \"\"Table\"\" name\" (\"col with space\", \"üñí©ødé\", \"user\", a_very_long_column_name_that_is_exactly_sixty_three_bytes_long_) TO STDOUT",
            _plan.Single("TABLE DATA", "Weird \"Table\" name").Data!.CopyToSql);
    }

    [Fact]
    public void Identity_sequences_have_an_empty_drop_and_serial_sequences_an_owned_by_entry()
    {
        var identity = _plan.Single("SEQUENCE", "kinds_id_seq");
        Assert.Equal("", identity.DropStatement);
        Assert.StartsWith("ALTER TABLE rel.kinds ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME rel.kinds_id_seq\n", identity.Definition, StringComparison.Ordinal);
        var owned = _plan.Single("SEQUENCE OWNED BY", "kinds_serial_no_seq");
        Assert.Equal("ALTER SEQUENCE rel.kinds_serial_no_seq OWNED BY rel.kinds.serial_no;\n", owned.Definition);
        Assert.Equal("SELECT pg_catalog.setval('rel.free_seq', 233, true);\n", _plan.Single("SEQUENCE SET", "free_seq").Definition);
        Assert.Equal("SELECT pg_catalog.setval('rel.unused_seq', 1, false);\n", _plan.Single("SEQUENCE SET", "unused_seq").Definition);
        var serialDefault = _plan.Single("DEFAULT", "kinds serial_no");
        Assert.True(serialDefault.DumpId > _plan.Single("SEQUENCE", "kinds_serial_no_seq").DumpId);
    }

    [Fact]
    public void Objects_attached_to_a_partitioned_parent_have_no_drop_of_their_own()
    {
        Assert.Null(_plan.Single("CONSTRAINT", "measurements_2025 measurements_2025_pkey").DropStatement);
        Assert.Null(_plan.Single("INDEX", "measurements_2025_device_idx").DropStatement);
        Assert.Null(_plan.Single("INDEX ATTACH", "measurements_2025_pkey").DropStatement);
        Assert.Null(_plan.Single("TABLE ATTACH", "measurements_2025").DropStatement);
        Assert.Equal("ALTER TABLE rel.measurements DROP CONSTRAINT measurements_pkey;\n", _plan.Single("CONSTRAINT", "measurements measurements_pkey").DropStatement);
        Assert.Equal("DROP INDEX rel.measurements_device;\n", _plan.Single("INDEX", "measurements_device").DropStatement);
        Assert.DoesNotContain(_plan.Entries, e => e.Desc == "FK CONSTRAINT" && e.Tag.StartsWith("readings_note_all ", StringComparison.Ordinal));
        Assert.Equal(
            "ALTER TABLE ONLY rel.measurements ATTACH PARTITION rel.measurements_other DEFAULT;\n",
            _plan.Single("TABLE ATTACH", "measurements_other").Definition);
    }

    [Fact]
    public void Foreign_key_to_a_partitioned_table_waits_for_every_partition_of_the_key_to_be_attached()
    {
        // Until the last partition's index is attached the referenced key is incomplete and ADD FOREIGN KEY fails
        // ("no unique constraint matching given keys"); pg_restore -j only knows to wait through these dependencies.
        var fk = _plan.Single("FK CONSTRAINT", "readings_note readings_note_measurement_id_measured_at_fkey");
        var attaches = _plan.Entries
            .Where(e => e.Desc == "INDEX ATTACH" && e.Tag.StartsWith("measurements_", StringComparison.Ordinal) && e.Tag.EndsWith("_pkey", StringComparison.Ordinal))
            .Select(e => e.DumpId)
            .ToList();
        Assert.Equal(3, attaches.Count);
        Assert.All(attaches, a => Assert.Contains(a, fk.Dependencies));
        Assert.DoesNotContain(_plan.Single("INDEX ATTACH", "measurements_2025_device_idx").DumpId, fk.Dependencies);
    }

    [Fact]
    public void Every_dependency_points_backwards_and_every_drop_names_its_desc()
    {
        foreach (var e in _plan.Entries)
        {
            Assert.All(e.Dependencies, d => Assert.True(d < e.DumpId, $"{e.Desc} {e.Tag} depends on later entry {d}"));
            if (!string.IsNullOrEmpty(e.DropStatement))
            {
                var marker = e.Desc is "CONSTRAINT" or "FK CONSTRAINT" or "CHECK CONSTRAINT" ? "DROP CONSTRAINT" : e.Desc == "DEFAULT" ? "DROP DEFAULT" : "DROP " + e.Desc;
                Assert.Contains(marker, e.DropStatement, StringComparison.Ordinal);
            }

            Assert.True(e.Definition.Length == 0 || e.Definition.EndsWith('\n'), $"{e.Desc} {e.Tag} definition must end in a newline");
        }
    }

    [Fact]
    public void Not_valid_checks_are_separate_post_data_entries()
    {
        var check = _plan.Single("CHECK CONSTRAINT", "kinds kinds_email_not_x");
        Assert.Equal(DumpSection.PostData, check.Section);
        Assert.EndsWith("NOT VALID;\n", check.Definition, StringComparison.Ordinal);
        Assert.DoesNotContain("kinds_email_not_x", _plan.Single("TABLE", "kinds").Definition, StringComparison.Ordinal);
        Assert.Contains("CONSTRAINT kinds_amount_check CHECK", _plan.Single("TABLE", "kinds").Definition, StringComparison.Ordinal);
    }
}
