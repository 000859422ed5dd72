
namespace Infra.Tests;

/// <summary>
/// infra/postgres-grants.sql against a real PostgreSQL: the role it creates can read every table and sequence of
/// the schemas (also tables created later by the schema owner, as migrations do) and cannot write. Azure's
/// pgaadauth_create_principal is replaced by a stand-in that creates a plain login role in the postgres database,
/// where Azure has it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGrantsTests(PostgresServer server) : IAsyncLifetime
{
    private const string Database = "infra_grants";
    private const string Owner = "infra_api_owner";
    private const string AppRole = "id-backup-infratest";

    public async Task InitializeAsync()
    {
        await server.ExecuteAsync($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        await server.ExecuteAsync($"DROP ROLE IF EXISTS \"{AppRole}\"");
        await server.CreateDatabaseAsync(Database, Owner);
        await server.ExecuteAsync("""
            CREATE OR REPLACE FUNCTION pgaadauth_create_principal(role_name text, is_admin boolean, is_mfa boolean)
            RETURNS text LANGUAGE plpgsql AS $$
            BEGIN
              EXECUTE format('CREATE ROLE %I LOGIN', role_name);
              RETURN 'Created role for ' || role_name;
            END $$
            """);
        (await server.PsqlAsync(Database, user: Owner, sql: """
            CREATE SCHEMA "infinite-prod";
            CREATE SCHEMA "infinite-staging";
            CREATE TABLE "infinite-prod".events (id serial PRIMARY KEY, email text);
            CREATE TABLE "infinite-staging".events (id serial PRIMARY KEY, email text);
            INSERT INTO "infinite-prod".events (email) VALUES ('a@example.com');
            """)).EnsureSuccess("schema setup");
    }

    public async Task DisposeAsync()
    {
        await server.ExecuteAsync($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        await server.ExecuteAsync($"DROP FUNCTION IF EXISTS pgaadauth_create_principal(text, boolean, boolean)");
        await server.ExecuteAsync($"DROP ROLE IF EXISTS \"{AppRole}\"");
    }

    private Task<ProcessRunner.Result> RunGrantsAsync(string schemas) =>
        server.ClientToolAsync("psql", null,
            "-X", "-q", "-d", "postgres", "-v", $"database={Database}", "-v", $"app_role={AppRole}", "-v", $"schemas={schemas}",
            "-f", RepositoryRoot.Combine("infra", "postgres-grants.sql"));

    private Task<ProcessRunner.Result> AsAppAsync(string sql) => server.PsqlAsync(Database, sql: sql, user: AppRole);

    [Fact]
    public async Task Grants_let_the_backup_role_read_every_table_and_sequence_including_later_ones_but_not_write()
    {
        (await RunGrantsAsync("infinite-prod, infinite-staging")).EnsureSuccess("postgres-grants.sql");

        var read = (await AsAppAsync("""
            SELECT count(*) FROM "infinite-prod".events;
            SELECT count(*) FROM "infinite-staging".events;
            SELECT last_value FROM "infinite-prod".events_id_seq;
            BEGIN; LOCK TABLE "infinite-prod".events IN ACCESS SHARE MODE; COMMIT;
            """)).EnsureSuccess("read as the backup role");
        Assert.Contains("1", read.StdOut, StringComparison.Ordinal);

        var write = await AsAppAsync("""INSERT INTO "infinite-prod".events (email) VALUES ('x@example.com');""");
        Assert.NotEqual(0, write.ExitCode);
        Assert.Contains("permission denied", write.StdErr, StringComparison.Ordinal);

        // A migration by the schema owner after the grants: default privileges cover it.
        (await server.PsqlAsync(Database, user: Owner, sql: """
            CREATE TABLE "infinite-prod".venues (id bigserial PRIMARY KEY, name text);
            """)).EnsureSuccess("migration");
        (await AsAppAsync("""SELECT count(*) FROM "infinite-prod".venues; SELECT last_value FROM "infinite-prod".venues_id_seq;"""))
            .EnsureSuccess("read a table created after the grants");
    }

    [Fact]
    public async Task Grants_script_runs_twice_without_error()
    {
        (await RunGrantsAsync("infinite-prod")).EnsureSuccess("first run");
        (await RunGrantsAsync("infinite-prod")).EnsureSuccess("second run");
        var roles = await server.ScalarAsync<long>($"SELECT count(*) FROM pg_roles WHERE rolname = '{AppRole}'");
        Assert.Equal(1, roles);
    }

    [Fact]
    public async Task Grants_script_names_a_schema_that_does_not_exist()
    {
        var r = await RunGrantsAsync("infinite-prod,infinite-typo");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("schema \"infinite-typo\" does not exist", r.StdErr, StringComparison.Ordinal);
    }
}
