using BackupCore.Catalog;
using BackupCore.Catalog.Sources;
using BackupCore.Plan;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Catalog.Code;

/// <summary>Views, materialized views, triggers, rules, policies and row security read from the code fixture.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RelationCodeSourceTests : IAsyncLifetime
{
    private const string Database = "code_relations";
    private readonly PostgresServer _server;
    private List<CatalogObject> _views = [];
    private List<CatalogObject> _matViews = [];
    private List<CatalogObject> _triggers = [];
    private List<CatalogObject> _rules = [];
    private List<CatalogObject> _policies = [];
    private List<CatalogObject> _rowSecurity = [];

    public RelationCodeSourceTests(PostgresServer server)
    {
        _server = server;
    }

    public async Task InitializeAsync()
    {
        await CodeFixtureDatabase.CreateAsync(_server, Database);
        _views = await CodeFixtureDatabase.ReadAsync(_server, Database, new ViewSource());
        _matViews = await CodeFixtureDatabase.ReadAsync(_server, Database, new MaterializedViewSource());
        _triggers = await CodeFixtureDatabase.ReadAsync(_server, Database, new TriggerSource());
        _rules = await CodeFixtureDatabase.ReadAsync(_server, Database, new RuleSource());
        _policies = await CodeFixtureDatabase.ReadAsync(_server, Database, new PolicySource());
        _rowSecurity = await CodeFixtureDatabase.ReadAsync(_server, Database, new RowSecuritySource());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<CatalogObjectId> RelationIdAsync(string qualifiedName) =>
        CodeFixtureDatabase.IdAsync(_server, Database, $"'pg_class'::regclass::oid, '{qualifiedName.Replace("'", "''", StringComparison.Ordinal)}'::regclass::oid");

    [Fact]
    public void View_with_options_and_check_option_is_written_like_pg_dump()
    {
        var v = _views.Single("VIEW", "infinite-prod", "rich_users");
        Assert.Equal(
            "CREATE VIEW \"infinite-prod\".rich_users WITH (security_barrier='true') AS\n"
            + " SELECT users.id,\n    users.balance\n   FROM \"infinite-prod\".users\n  WHERE (users.balance > (1000)::numeric)\n"
            + "  WITH LOCAL CHECK OPTION;\n",
            v.Definition);
        Assert.Equal("DROP VIEW \"infinite-prod\".rich_users;\n", v.DropStatement);
        Assert.Equal(DumpSection.PreData, v.Section);
        Assert.Null(v.Tablespace);
        Assert.EndsWith("  WITH CASCADED CHECK OPTION;\n", _views.Single("VIEW", "infinite-prod", "cascaded_rich").Definition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_on_a_view_depends_on_the_view_it_reads()
    {
        var happy = _views.Single("VIEW", "infinite-prod", "Happy Users");
        Assert.Equal(await RelationIdAsync("\"infinite-prod\".\"Happy Users\""), happy.Id);
        Assert.Contains(await RelationIdAsync("\"infinite-prod\".active_users"), happy.DependsOn);
        Assert.DoesNotContain(happy.Id!.Value, happy.DependsOn);
        var overview = _views.Single("VIEW", "Ünïcode schema", "ÜberSicht");
        Assert.StartsWith("CREATE VIEW \"Ünïcode schema\".\"ÜberSicht\" AS\n", overview.Definition, StringComparison.Ordinal);
        Assert.Contains(await RelationIdAsync("\"infinite-prod\".users"), overview.DependsOn);
    }

    [Fact]
    public async Task Materialized_views_are_created_empty_and_refreshed_in_post_data_when_populated()
    {
        Assert.Equal(
            ["INDEX user_balances_id", "MATERIALIZED VIEW DATA rich_balances", "MATERIALIZED VIEW DATA user_balances", "MATERIALIZED VIEW Empty MV", "MATERIALIZED VIEW rich_balances", "MATERIALIZED VIEW user_balances"],
            _matViews.Select(m => m.Desc + " " + m.Tag).Order(StringComparer.Ordinal));
        var mv = _matViews.Single("MATERIALIZED VIEW", "infinite-prod", "user_balances");
        Assert.Equal("CREATE MATERIALIZED VIEW \"infinite-prod\".user_balances AS\n SELECT users.id,\n    users.balance\n   FROM \"infinite-prod\".users\n  WITH NO DATA;\n", mv.Definition);
        Assert.Equal("", mv.Tablespace);
        Assert.Equal("heap", mv.TableAccessMethod);
        Assert.Equal("DROP MATERIALIZED VIEW \"infinite-prod\".user_balances;\n", mv.DropStatement);

        var index = _matViews.Single("INDEX", "infinite-prod", "user_balances_id");
        Assert.Equal("CREATE UNIQUE INDEX user_balances_id ON \"infinite-prod\".user_balances USING btree (id);\n", index.Definition);
        Assert.Equal("DROP INDEX \"infinite-prod\".user_balances_id;\n", index.DropStatement);
        Assert.Equal([mv.Id!.Value], index.DependsOn);
        Assert.Equal(DumpSection.PostData, index.Section);

        var refresh = _matViews.Single("MATERIALIZED VIEW DATA", "infinite-prod", "user_balances");
        Assert.Equal("REFRESH MATERIALIZED VIEW \"infinite-prod\".user_balances;\n", refresh.Definition);
        Assert.Equal(DumpSection.PostData, refresh.Section);
        Assert.Null(refresh.DropStatement);
        Assert.Equal(new CatalogObjectId(0, mv.Id!.Value.ObjectId), refresh.Id);
        Assert.Equal([mv.Id!.Value], refresh.DependsOn);
        Assert.Equal(44, refresh.Priority);

        Assert.StartsWith("CREATE MATERIALIZED VIEW \"infinite-prod\".rich_balances\nWITH (fillfactor='70') AS\n", _matViews.Single("MATERIALIZED VIEW", "infinite-prod", "rich_balances").Definition, StringComparison.Ordinal);
        var rich = _matViews.Single("MATERIALIZED VIEW DATA", "infinite-prod", "rich_balances");
        Assert.Contains(refresh.Id!.Value, rich.DependsOn);
        Assert.Contains(await RelationIdAsync("\"infinite-prod\".rich_balances"), rich.DependsOn);
        Assert.Contains(mv.Id!.Value, _matViews.Single("MATERIALIZED VIEW", "infinite-prod", "rich_balances").DependsOn);
    }

    [Fact]
    public void Triggers_skip_foreign_key_internals_and_restore_their_firing_state()
    {
        Assert.Equal(
            ["Order Lines Audit Lines", "Order Lines lines_deferred", "Order Lines lines_replica", "events events_audit", "events_other events_audit", "users users_mood_audit", "users users_touch"],
            _triggers.Select(t => t.Tag).Order(StringComparer.Ordinal));
        var disabled = _triggers.Single("TRIGGER", "infinite-prod", "users users_mood_audit");
        Assert.Equal(
            "CREATE TRIGGER users_mood_audit AFTER UPDATE OF mood, balance ON \"infinite-prod\".users FOR EACH ROW EXECUTE FUNCTION \"infinite-prod\".audit();\n"
            + "\nALTER TABLE \"infinite-prod\".users DISABLE TRIGGER users_mood_audit;\n",
            disabled.Definition);
        Assert.Equal("DROP TRIGGER users_mood_audit ON \"infinite-prod\".users;\n", disabled.DropStatement);
        Assert.EndsWith("\nALTER TABLE \"infinite-prod\".\"Order Lines\" ENABLE REPLICA TRIGGER lines_replica;\n", _triggers.Single("TRIGGER", "infinite-prod", "Order Lines lines_replica").Definition, StringComparison.Ordinal);
        Assert.Equal(DumpSection.PostData, disabled.Section);
        Assert.Equal(2620u, disabled.Id!.Value.ClassId);
        Assert.Equal(2, disabled.DependsOn.Count);
    }

    [Fact]
    public void Trigger_cloned_onto_a_partition_is_only_its_changed_firing_state()
    {
        var clone = _triggers.Single("TRIGGER", "infinite-prod", "events_other events_audit");
        Assert.Equal("\nALTER TABLE \"infinite-prod\".events_other DISABLE TRIGGER events_audit;\n", clone.Definition);
        Assert.Equal("", clone.DropStatement);
        Assert.DoesNotContain(_triggers, t => t.Tag == "events_2026 events_audit");
    }

    [Fact]
    public void Rules_leave_out_view_return_rules()
    {
        Assert.Equal(["Happy Users happy_insert", "users Log Deletes"], _rules.Select(r => r.Tag).Order(StringComparer.Ordinal));
        var rule = _rules.Single("RULE", "infinite-prod", "users Log Deletes");
        Assert.StartsWith("CREATE RULE \"Log Deletes\" AS\n    ON DELETE TO \"infinite-prod\".users DO  INSERT INTO public.plain_audit (note)", rule.Definition, StringComparison.Ordinal);
        Assert.EndsWith(";\n", rule.Definition, StringComparison.Ordinal);
        Assert.Equal("DROP RULE \"Log Deletes\" ON \"infinite-prod\".users;\n", rule.DropStatement);
        Assert.Equal(DumpSection.PostData, rule.Section);
    }

    [Fact]
    public void Policies_carry_kind_command_roles_and_expressions()
    {
        Assert.Equal(4, _policies.Count);
        Assert.Equal(
            "CREATE POLICY \"No Mood Swings\" ON \"infinite-prod\".users AS RESTRICTIVE FOR UPDATE USING ((mood IS NOT NULL)) WITH CHECK ((mood <> 'sad'::\"infinite-prod\".mood));\n",
            _policies.Single("POLICY", "infinite-prod", "users No Mood Swings").Definition);
        Assert.Equal(
            "CREATE POLICY read_lines ON \"infinite-prod\".\"Order Lines\" FOR SELECT TO pg_read_all_data, pg_monitor USING (\"infinite-prod\".is_positive(amount));\n",
            _policies.Single("POLICY", "infinite-prod", "Order Lines read_lines").Definition);
        Assert.Equal("CREATE POLICY own_rows ON \"infinite-prod\".users USING ((owner_name = CURRENT_USER));\n", _policies.Single("POLICY", "infinite-prod", "users own_rows").Definition);
        Assert.Equal("DROP POLICY insert_lines ON \"infinite-prod\".\"Order Lines\";\n", _policies.Single("POLICY", "infinite-prod", "Order Lines insert_lines").DropStatement);
    }

    [Fact]
    public async Task Row_security_is_enabled_per_table_without_a_drop_or_trailing_newline()
    {
        Assert.Equal(["Order Lines", "events", "users"], _rowSecurity.Select(r => r.Tag).Order(StringComparer.Ordinal));
        var users = _rowSecurity.Single("ROW SECURITY", "infinite-prod", "users");
        Assert.Equal("ALTER TABLE \"infinite-prod\".users ENABLE ROW LEVEL SECURITY;", users.Definition);
        Assert.Null(users.DropStatement);
        Assert.Null(users.Id);
        Assert.Equal([await RelationIdAsync("\"infinite-prod\".users"), await OrderLinesForeignKeyIdAsync()], users.DependsOn);
        Assert.Equal(DumpSection.PostData, users.Section);
    }

    [Fact]
    public async Task Row_security_waits_for_the_foreign_keys_on_its_table_and_to_it()
    {
        // Enabled on a FORCE ROW LEVEL SECURITY table before the key is validated, row security makes pg_restore -j
        // (row_security = off) refuse the validation query; on the referenced table it would refuse it just the same.
        var fk = await OrderLinesForeignKeyIdAsync();
        Assert.Contains(fk, _rowSecurity.Single("ROW SECURITY", "infinite-prod", "Order Lines").DependsOn);
        Assert.Contains(fk, _rowSecurity.Single("ROW SECURITY", "infinite-prod", "users").DependsOn);
        Assert.Equal([await RelationIdAsync("\"infinite-prod\".events")], _rowSecurity.Single("ROW SECURITY", "infinite-prod", "events").DependsOn);
    }

    private Task<CatalogObjectId> OrderLinesForeignKeyIdAsync() =>
        CodeFixtureDatabase.IdAsync(_server, Database, "'pg_constraint'::regclass::oid, (SELECT oid FROM pg_catalog.pg_constraint WHERE conname = 'Order Lines_user_id_fkey')");
}
