using System.Text;
using BackupCore.Anonymization;
using static BackupCore.Tests.Anonymization.TestPlans;

namespace BackupCore.Tests.Anonymization;

public sealed class AnonymizationPolicyTests
{
    private static readonly BackupCore.Plan.DumpPlan Users = PlanOf(Table(
        1,
        "public",
        "users",
        Other("id", notNull: true),
        Text("email", unique: true, maxLength: 100, notNull: true),
        Text("name", notNull: true),
        Text("phone"),
        Text("code", unique: true, maxLength: 10),
        Json("doc"),
        Other("born", "date")));

    private static AnonymizationPolicy Parse(string json) => AnonymizationPolicy.Parse(Encoding.UTF8.GetBytes(json), "p.json");

    private static string BindError(string json) =>
        Assert.Throws<BackupException>(() => Parse(json).Bind(Users)).Message;

    [Fact]
    public void Rules_are_parsed_and_bound_to_the_plan_columns()
    {
        var policy = Parse("""
            // comments are allowed
            {"columns": {"public.users.phone": "null", "public.users.name": "fixed:Someone", "public.users.email": "hash",
                         "public.users.doc": "keep", "public.users.born": "fixed:2000-01-01"},
             "allowAddresses": ["public.users.doc"]}
            """);
        var bound = policy.Bind(Users)[1];
        Assert.Equal(
            [ColumnRuleKind.Email, ColumnRuleKind.Hash, ColumnRuleKind.Fixed, ColumnRuleKind.Null, ColumnRuleKind.Email, ColumnRuleKind.Keep, ColumnRuleKind.Fixed],
            bound.Select(r => r.Kind));
        Assert.Equal("Someone", bound[2].FixedValue);
        Assert.Contains(new ColumnKey("public", "users", "doc"), policy.AllowAddresses);
    }

    [Theory]
    [InlineData("""{}""", "email", ByteaMode.Opaque)]
    [InlineData("""{"bytea": "opaque", "columns": {"public.users.born": "email"}}""", "email", ByteaMode.Replace)]
    [InlineData("""{"bytea": "scan"}""", "email", ByteaMode.Scan)]
    [InlineData("""{"bytea": "email"}""", "email", ByteaMode.Replace)]
    [InlineData("""{"bytea": "email", "columns": {"public.users.born": "keep"}}""", "keep", ByteaMode.Scan)]
    [InlineData("""{"columns": {"public.users.born": "keep"}}""", "keep", ByteaMode.Opaque)]
    public void The_bytea_option_and_a_column_rule_decide_how_bytea_is_read(string json, string rule, ByteaMode expected)
    {
        var policy = Parse(json);
        Assert.Equal(expected, policy.ByteaModeFor(new ColumnKey("public", "users", "born"), ColumnRule.TryParse(rule)!));
    }

    [Fact]
    public void The_email_rule_is_allowed_on_every_type_the_anonymizer_walks()
    {
        var plan = PlanOf(Table(
            1,
            "public",
            "shapes",
            new BackupCore.Plan.CopyColumn("h", "hstore", BackupCore.Plan.ColumnValueKind.Hstore, false, null, false, false),
            new BackupCore.Plan.CopyColumn("c", "public.card", BackupCore.Plan.ColumnValueKind.Composite, false, null, false, false, Fields: [Text("x")]),
            new BackupCore.Plan.CopyColumn("t", "tsvector", BackupCore.Plan.ColumnValueKind.TsVector, false, null, false, false),
            new BackupCore.Plan.CopyColumn("b", "bytea[]", BackupCore.Plan.ColumnValueKind.Bytea, true, null, false, false),
            new BackupCore.Plan.CopyColumn("m", "public.mood", BackupCore.Plan.ColumnValueKind.Enum, false, null, false, false)));
        Assert.NotNull(Parse("""{"columns": {"public.shapes.h": "email", "public.shapes.c": "email", "public.shapes.t": "email", "public.shapes.b": "email"}}""").Bind(plan));
        Assert.Equal(
            "anonymization policy p.json: column public.shapes.m (public.mood): rule email needs a column that can be rewritten (text, json, xml, hstore, tsvector, bytea, a composite or array of these)",
            Assert.Throws<BackupException>(() => Parse("""{"columns": {"public.shapes.m": "email"}}""").Bind(plan)).Message);
    }

    [Fact]
    public void Quoted_names_may_hold_dots_and_quotes()
    {
        Assert.Equal(new ColumnKey("my.schema", "Tab\"le", "col"), ColumnKey.Parse("\"my.schema\".\"Tab\"\"le\".col", "p.json"));
        Assert.Equal("\"my.schema\".\"Tab\"\"le\".col", new ColumnKey("my.schema", "Tab\"le", "col").ToString());
    }

    [Theory]
    [InlineData("""{"columns": {"public.users.phone": "scramble"}}""", "anonymization policy p.json: column public.users.phone: unknown rule \"scramble\"")]
    [InlineData("""{"column": {}}""", "anonymization policy p.json: unexpected property \"column\"")]
    [InlineData("""{"columns": {"users.phone": "null"}}""", "anonymization policy p.json: column \"users.phone\": expected schema.table.column")]
    [InlineData("""{"columns": {"public.users.phone": "null", "public.users.phone": "keep"}}""", "anonymization policy p.json: column public.users.phone: listed twice")]
    [InlineData("""[1]""", "anonymization policy p.json: the document must be a JSON object")]
    [InlineData("""{"allowAddresses": [1]}""", "anonymization policy p.json: allowAddresses: every item must be a \"schema.table.column\" string")]
    [InlineData("""{"bytea": "replace"}""", "anonymization policy p.json: bytea: unknown value \"replace\"")]
    [InlineData("""{"bytea": true}""", "anonymization policy p.json: bytea: unknown value true")]
    public void Malformed_policies_are_refused_naming_the_file_and_the_entry(string json, string message) =>
        Assert.Equal(message, Assert.Throws<BackupException>(() => Parse(json)).Message);

    [Fact]
    public void Invalid_json_names_the_file() =>
        Assert.StartsWith("anonymization policy p.json: not valid JSON", Assert.Throws<BackupException>(() => Parse("{")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("""{"columns": {"public.people.phone": "null"}}""", "anonymization policy p.json: column public.people.phone: table public.people is not in the dump")]
    [InlineData("""{"columns": {"public.users.fax": "null"}}""", "anonymization policy p.json: column public.users.fax: table public.users has no column \"fax\"")]
    [InlineData("""{"allowAddresses": ["public.users.fax"]}""", "anonymization policy p.json: column public.users.fax: table public.users has no column \"fax\"")]
    [InlineData("""{"columns": {"public.users.name": "null"}}""", "anonymization policy p.json: column public.users.name (text): rule null would put NULL into a NOT NULL column")]
    [InlineData("""{"columns": {"public.users.email": "fixed:x@y.z"}}""", "anonymization policy p.json: column public.users.email (character varying(100)): rule fixed would give every row the same value in a unique or key column")]
    [InlineData("""{"columns": {"public.users.phone": "fixed:0123456789"}}""", null)]
    [InlineData("""{"columns": {"public.users.born": "hash"}}""", "anonymization policy p.json: column public.users.born (date): rule hash needs a text column (not an array)")]
    [InlineData("""{"columns": {"public.users.code": "hash"}}""", "anonymization policy p.json: column public.users.code (character varying(10)): rule hash: a distinct hash needs at least 16 characters, the column allows 10")]
    [InlineData("""{"columns": {"public.users.born": "email"}}""", "anonymization policy p.json: column public.users.born (date): rule email needs a column that can be rewritten (text, json, xml, hstore, tsvector, bytea, a composite or array of these)")]
    public void Rules_that_do_not_fit_the_plan_are_errors_naming_the_column(string json, string? message)
    {
        if (message is null)
        {
            Assert.NotNull(Parse(json).Bind(Users));
            return;
        }

        Assert.Equal(message, BindError(json));
    }

    [Fact]
    public async Task A_missing_policy_file_is_an_error_naming_it()
    {
        var ex = await Assert.ThrowsAsync<BackupException>(() => AnonymizationPolicy.LoadAsync("/nonexistent/policy.json", CancellationToken.None));
        Assert.StartsWith("anonymization policy /nonexistent/policy.json: cannot read", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Null_fixed_and_hash_rules_rewrite_every_row_and_are_counted()
    {
        var policy = Parse("""{"columns": {"public.users.phone": "null", "public.users.name": "fixed:Some\tone", "public.users.code": "keep", "public.users.email": "hash"}}""");
        var copy = "1\tann@x.org\tAnn\t555\tc1\t\\N\t2000-01-01\n2\tbob@x.org\tBob\t\\N\t\\N\t{}\t\\N\n";
        var (inner, sink) = await SinkRun.RunAsync(Users, new Dictionary<int, byte[]> { [1] = Encoding.UTF8.GetBytes(copy) }, policy: policy);
        var rows = Encoding.UTF8.GetString(inner.TableData[1]).TrimEnd('\n').Split('\n').Select(r => r.Split('\t')).ToArray();
        Assert.Equal("Some\\tone", rows[0][2]);
        Assert.Equal("\\N", rows[0][3]);
        Assert.Equal("c1", rows[0][4]);
        Assert.Matches("^[a-z2-7]{26}$", rows[0][1]);
        Assert.NotEqual(rows[0][1], rows[1][1]);
        Assert.Equal(["1", "2000-01-01"], new[] { rows[0][0], rows[0][6] });
        Assert.Equal(
            [("email", 2L), ("name", 2L), ("phone", 1L)],
            sink.Replaced.Select(c => (c.Column, c.Replaced)).ToArray());
    }
}
