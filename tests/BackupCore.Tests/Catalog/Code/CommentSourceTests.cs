using BackupCore.Catalog;
using BackupCore.Catalog.Sources;
using BackupCore.Plan;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Catalog.Code;

[Collection(PostgresCollection.Name)]
public sealed class CommentSourceTests : IAsyncLifetime
{
    private const string Database = "code_comments";
    private readonly PostgresServer _server;
    private List<CatalogObject> _comments = [];

    public CommentSourceTests(PostgresServer server)
    {
        _server = server;
    }

    public async Task InitializeAsync()
    {
        await CodeFixtureDatabase.CreateAsync(_server, Database);
        _comments = await CodeFixtureDatabase.ReadAsync(_server, Database, new CommentSource());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<CatalogObjectId> IdAsync(string catalog, string objectOidSql) =>
        CodeFixtureDatabase.IdAsync(_server, Database, $"'{catalog}'::regclass::oid, ({objectOidSql})::oid");

    [Fact]
    public void Tags_quote_names_and_defns_qualify_them()
    {
        var column = _comments.Single("COMMENT", "infinite-prod", "COLUMN users.\"user\"");
        Assert.Equal("COMMENT ON COLUMN \"infinite-prod\".users.\"user\" IS 'reserved-word column';\n", column.Definition);
        Assert.Equal("COMMENT ON COLUMN \"infinite-prod\".users.email IS 'primary address; it''s unique';\n", _comments.Single("COMMENT", "infinite-prod", "COLUMN users.email").Definition);
        var schema = _comments.Single("COMMENT", null, "SCHEMA \"infinite-prod\"");
        Assert.Equal("COMMENT ON SCHEMA \"infinite-prod\" IS 'production data';\n", schema.Definition);
        Assert.Equal(
            "COMMENT ON FUNCTION \"Ünïcode schema\".\"grüß\"(m \"infinite-prod\".mood) IS 'grüßt';\n",
            _comments.Single("COMMENT", "Ünïcode schema", "FUNCTION \"grüß\"(m \"infinite-prod\".mood)").Definition);
        Assert.Equal(
            "COMMENT ON CONSTRAINT email_check ON DOMAIN \"infinite-prod\".email IS 'must contain an at sign';\n",
            _comments.Single("COMMENT", "infinite-prod", "CONSTRAINT email_check ON DOMAIN email").Definition);
        Assert.All(_comments, c => Assert.Equal(DumpSection.None, c.Section));
        Assert.All(_comments, c => Assert.Single(c.DependsOn));
        Assert.All(_comments, c => Assert.Null(c.DropStatement));
    }

    [Fact]
    public void Every_commented_kind_is_read()
    {
        var kinds = _comments.Select(c => c.Tag.Split(' ')[0]).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(
            ["AGGREGATE", "COLUMN", "CONSTRAINT", "DOMAIN", "EXTENSION", "FUNCTION", "INDEX", "MATERIALIZED", "POLICY", "PROCEDURE", "RULE", "SCHEMA", "SEQUENCE", "TABLE", "TRIGGER", "TYPE", "VIEW"],
            kinds);
        Assert.DoesNotContain(_comments, c => c.Tag == "SCHEMA public");
        var extension = _comments.Single("COMMENT", null, "EXTENSION citext");
        Assert.Equal("COMMENT ON EXTENSION citext IS 'case-insensitive text';\n", extension.Definition);
        Assert.Equal("", extension.Owner);
        var compositeColumn = _comments.Single("COMMENT", "infinite-prod", "COLUMN pair.\"B\"");
        Assert.Equal("COMMENT ON COLUMN \"infinite-prod\".pair.\"B\" IS 'second half';\n", compositeColumn.Definition);
        Assert.Equal(1247u, compositeColumn.DependsOn[0].ClassId);
    }

    [Fact]
    public async Task Each_comment_depends_on_the_entry_that_writes_its_object()
    {
        Assert.Equal(
            [await IdAsync("pg_class", "'\"infinite-prod\".users'::regclass")],
            _comments.Single("COMMENT", "infinite-prod", "COLUMN users.email").DependsOn);
        // An inline CHECK constraint is written by its table, a primary key by its own constraint entry.
        Assert.Equal(
            [await IdAsync("pg_class", "'\"infinite-prod\".users'::regclass")],
            _comments.Single("COMMENT", "infinite-prod", "CONSTRAINT balance_positive ON users").DependsOn);
        Assert.Equal(
            [await IdAsync("pg_constraint", "(SELECT oid FROM pg_constraint WHERE conname = 'users_pkey')")],
            _comments.Single("COMMENT", "infinite-prod", "CONSTRAINT users_pkey ON users").DependsOn);
        Assert.Equal(
            [await IdAsync("pg_type", "'\"infinite-prod\".email'::regtype")],
            _comments.Single("COMMENT", "infinite-prod", "CONSTRAINT email_check ON DOMAIN email").DependsOn);
        Assert.Equal(
            [await IdAsync("pg_class", "'\"infinite-prod\".user_balances_id'::regclass")],
            _comments.Single("COMMENT", "infinite-prod", "INDEX user_balances_id").DependsOn);
        Assert.Equal(
            [await IdAsync("pg_proc", "'\"infinite-prod\".add_line(integer, numeric)'::regprocedure")],
            _comments.Single("COMMENT", "infinite-prod", "PROCEDURE add_line(IN p_user integer, IN p_amount numeric)").DependsOn);
        Assert.Equal(
            [await IdAsync("pg_trigger", "(SELECT oid FROM pg_trigger WHERE tgname = 'users_touch')")],
            _comments.Single("COMMENT", "infinite-prod", "TRIGGER users_touch ON users").DependsOn);
    }

    [Fact]
    public async Task Removed_comment_on_schema_public_is_restored_as_empty_and_a_changed_one_is_kept()
    {
        const string db = "code_comments_public";
        await _server.CreateDatabaseAsync(db);
        await _server.ExecuteAsync("COMMENT ON SCHEMA public IS NULL", db);
        var removed = await CodeFixtureDatabase.ReadAsync(_server, db, new CommentSource());
        Assert.Equal("COMMENT ON SCHEMA public IS '';\n", Assert.Single(removed).Definition);

        await _server.ExecuteAsync("COMMENT ON SCHEMA public IS 'our app'", db);
        var changed = await CodeFixtureDatabase.ReadAsync(_server, db, new CommentSource());
        Assert.Equal("SCHEMA public", Assert.Single(changed).Tag);
        Assert.Equal("COMMENT ON SCHEMA public IS 'our app';\n", changed[0].Definition);
    }
}
