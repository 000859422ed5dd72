using BackupCore.Catalog;
using BackupCore.Catalog.Sources;
using BackupCore.Plan;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Catalog.Code;

[Collection(PostgresCollection.Name)]
public sealed class FunctionSourceTests : IAsyncLifetime
{
    private const string Database = "code_functions";
    private readonly PostgresServer _server;
    private List<CatalogObject> _functions = [];

    public FunctionSourceTests(PostgresServer server)
    {
        _server = server;
    }

    public async Task InitializeAsync()
    {
        // citext puts its functions and aggregates into public, which is in scope: they must not be dumped.
        // LEAKPROOF needs a superuser, so it is not in the fixture (whose round trip restores as a non-superuser).
        await CodeFixtureDatabase.CreateAsync(
            _server,
            Database,
            extraSql: "CREATE FUNCTION \"infinite-prod\".same(a int, b int) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE AS 'SELECT a = b';");
        _functions = await CodeFixtureDatabase.ReadAsync(_server, Database, new FunctionSource());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Overloads_are_tagged_by_name_and_argument_types_and_dropped_by_identity_arguments()
    {
        var overloads = _functions.Where(f => f.Tag.StartsWith("Select(", StringComparison.Ordinal)).OrderBy(f => f.Tag, StringComparer.Ordinal).ToList();
        Assert.Equal(["Select(\"infinite-prod\".mood[], text[])", "Select(integer, integer)", "Select(text)"], overloads.Select(f => f.Tag));
        Assert.Equal("DROP FUNCTION \"infinite-prod\".\"Select\"(a integer, b integer);\n", overloads[1].DropStatement);
        Assert.StartsWith("CREATE FUNCTION \"infinite-prod\".\"Select\"(a integer, b integer DEFAULT 2) RETURNS integer\n", overloads[1].Definition, StringComparison.Ordinal);
        Assert.StartsWith("CREATE FUNCTION \"infinite-prod\".\"Select\"(a \"infinite-prod\".mood[], VARIADIC rest text[]) RETURNS integer\n", overloads[0].Definition, StringComparison.Ordinal);
        Assert.All(overloads, f => Assert.Equal("infinite-prod", f.Namespace));
    }

    [Fact]
    public void Security_definer_function_keeps_its_settings_as_quoted_literals()
    {
        var f = _functions.Single("FUNCTION", "infinite-prod", "admin_count()");
        Assert.Equal(
            "CREATE FUNCTION \"infinite-prod\".admin_count() RETURNS bigint\n"
            + "    LANGUAGE plpgsql STABLE SECURITY DEFINER\n"
            + "    SET search_path TO 'pg_catalog', 'pg_temp'\n"
            + "    SET work_mem TO '8MB'\n"
            + "    AS $$\nBEGIN\n    RETURN (SELECT count(*) FROM \"infinite-prod\".users WHERE \"user\" = 'admin');\nEND;\n$$;\n",
            f.Definition);
        Assert.Equal(DumpSection.PreData, f.Section);
        Assert.Equal(ObjectPriority.Function, f.Priority);
    }

    [Fact]
    public void Function_attributes_are_written_in_pg_dump_order_and_defaults_are_left_out()
    {
        Assert.Contains("\n    LANGUAGE sql IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE\n    AS $$SELECT a = b$$;\n", _functions.Single("FUNCTION", "infinite-prod", "same(integer, integer)").Definition, StringComparison.Ordinal);
        Assert.Contains("\n    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE\n", _functions.Single("FUNCTION", "infinite-prod", "is_positive(numeric)").Definition, StringComparison.Ordinal);
        Assert.Contains("\n    LANGUAGE sql IMMUTABLE STRICT COST 5\n", _functions.Single("FUNCTION", "infinite-prod", "normalize_email(text)").Definition, StringComparison.Ordinal);
        Assert.Contains(" RETURNS TABLE(user_id integer, total numeric)\n    LANGUAGE sql STABLE ROWS 50\n", _functions.Single("FUNCTION", "infinite-prod", "user_totals(numeric)").Definition, StringComparison.Ordinal);
        Assert.Contains("\n    LANGUAGE sql\n", _functions.Single("FUNCTION", "infinite-prod", "next_code()").Definition, StringComparison.Ordinal);
    }

    [Fact]
    public void Procedure_is_its_own_desc_without_a_result_type()
    {
        var p = _functions.Single("PROCEDURE", "infinite-prod", "add_line(integer, numeric)");
        Assert.StartsWith("CREATE PROCEDURE \"infinite-prod\".add_line(IN p_user integer, IN p_amount numeric)\n    LANGUAGE plpgsql\n    AS $$", p.Definition, StringComparison.Ordinal);
        Assert.Equal("DROP PROCEDURE \"infinite-prod\".add_line(IN p_user integer, IN p_amount numeric);\n", p.DropStatement);
    }

    [Fact]
    public void Sql_standard_body_is_written_as_the_server_prints_it()
    {
        var f = _functions.Single("FUNCTION", "infinite-prod", "line_count(integer)");
        Assert.Contains("PARALLEL RESTRICTED\n    BEGIN ATOMIC\n", f.Definition, StringComparison.Ordinal);
        Assert.Contains("FROM \"infinite-prod\".\"Order Lines\"", f.Definition, StringComparison.Ordinal);
        Assert.EndsWith("END;\n", f.Definition, StringComparison.Ordinal);
    }

    [Fact]
    public void Body_with_dollar_signs_gets_another_delimiter()
    {
        var f = _functions.Single("FUNCTION", "infinite-prod", "dollars(text)");
        Assert.Contains("AS $_$ BEGIN RETURN p || '$$' || $1; END $_$;\n", f.Definition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ids_are_pg_proc_identities()
    {
        var expected = await CodeFixtureDatabase.IdAsync(_server, Database, "'pg_proc'::regclass::oid, '\"infinite-prod\".touch()'::regprocedure::oid");
        Assert.Equal(expected, _functions.Single("FUNCTION", "infinite-prod", "touch()").Id);
        Assert.Equal(1255u, expected.ClassId);
    }

    [Fact]
    public void Extension_members_and_aggregates_are_not_dumped_as_functions()
    {
        Assert.DoesNotContain(_functions, f => f.Namespace == "public");
        Assert.DoesNotContain(_functions, f => f.Tag.StartsWith("text_concat", StringComparison.Ordinal));
        Assert.Equal(18, _functions.Count);
    }

    [Fact]
    public async Task Aggregates_list_only_options_that_differ_from_the_defaults()
    {
        var aggregates = await CodeFixtureDatabase.ReadAsync(_server, Database, new FunctionAggregateSource());
        Assert.Equal(["Emails(text)", "biggest(integer)", "row_count(*)", "text_concat(text)", "total(numeric)"], aggregates.Select(a => a.Tag).Order(StringComparer.Ordinal));
        Assert.Equal(
            "CREATE AGGREGATE \"infinite-prod\".\"Emails\"(text) (\n    SFUNC = textcat,\n    STYPE = text,\n    SSPACE = 64,\n    INITCOND = '',\n    FINALFUNC = \"infinite-prod\".normalize_email\n);\n",
            aggregates.Single("AGGREGATE", "infinite-prod", "Emails(text)").Definition);
        Assert.Contains("SORTOP = OPERATOR(pg_catalog.>)", aggregates.Single("AGGREGATE", "infinite-prod", "biggest(integer)").Definition, StringComparison.Ordinal);
        Assert.EndsWith("    COMBINEFUNC = numeric_add,\n    PARALLEL = safe\n);\n", aggregates.Single("AGGREGATE", "infinite-prod", "total(numeric)").Definition, StringComparison.Ordinal);
        Assert.Equal("DROP AGGREGATE \"infinite-prod\".row_count(*);\n", aggregates.Single("AGGREGATE", "infinite-prod", "row_count(*)").DropStatement);
        Assert.All(aggregates, a => Assert.Equal(9, a.Priority));
    }

    [Theory]
    [InlineData("select 1", "$$select 1$$")]
    [InlineData("return $1", "$_$return $1$_$")]
    [InlineData("a $_$ b $ c", "$_X$a $_$ b $ c$_X$")]
    [InlineData("", "$$$$")]
    public void Dollar_quote_picks_a_delimiter_the_body_does_not_contain(string body, string expected)
    {
        Assert.Equal(expected, FunctionSource.DollarQuote(body));
    }

    [Theory]
    [InlineData("pg_catalog, pg_temp", new[] { "pg_catalog", "pg_temp" })]
    [InlineData("\"infinite-prod\", public", new[] { "infinite-prod", "public" })]
    [InlineData("\"a \"\"q\"\" b\",x", new[] { "a \"q\" b", "x" })]
    [InlineData("\"\"", new[] { "" })]
    public void Setting_lists_split_into_their_unquoted_elements(string value, string[] expected)
    {
        Assert.Equal(expected, FunctionSource.SplitSettingList(value));
    }
}
