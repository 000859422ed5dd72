using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.RoundTrip;

[Collection(PostgresCollection.Name)]
public class RelationRoundTripTests(PostgresServer server)
{
    private readonly RoundTripHarness _harness = new(server);

    private async Task AssertRestoresIdenticallyTwiceAsync(string source, string target, string role, string gz, string? schema = null)
    {
        await server.CreateDatabaseAsync(target, owner: role);
        var expectedSchema = await _harness.SchemaDumpAsync(source, schema);
        var expectedRows = await _harness.TableDigestsAsync(source, schema);
        Assert.NotEmpty(expectedRows);

        await _harness.RestoreAsync(gz, target, role);
        Assert.Equal(expectedSchema, await _harness.SchemaDumpAsync(target, schema));
        Assert.Equal(expectedRows, await _harness.TableDigestsAsync(target, schema));

        // --clean --if-exists output must also replay onto the database that holds the first restore.
        await _harness.RestoreAsync(gz, target, role);
        Assert.Equal(expectedSchema, await _harness.SchemaDumpAsync(target, schema));
        Assert.Equal(expectedRows, await _harness.TableDigestsAsync(target, schema));
    }

    [Fact]
    public async Task Every_relation_kind_and_copy_hazard_restores_identically_twice_as_a_non_superuser()
    {
        await _harness.CreateFromFixturesAsync("rtrel_src", "relations.sql");
        var gz = await _harness.BackupAsync("rtrel_src");
        await AssertRestoresIdenticallyTwiceAsync("rtrel_src", "rtrel_dst", "rtrel_owner", gz);
    }

    [Fact]
    public async Task Seed_shaped_environments_restore_identically_twice_as_a_non_superuser()
    {
        await _harness.CreateFromFixturesAsync("rtseed_src", "seed-environments.sql");
        var gz = await _harness.BackupAsync("rtseed_src");
        await AssertRestoresIdenticallyTwiceAsync("rtseed_src", "rtseed_dst", "rtseed_owner", gz);
    }

    [Fact]
    public async Task One_schema_backup_brings_the_extensions_its_defaults_need()
    {
        await _harness.CreateFromFixturesAsync("rtone_src", "seed-environments.sql");
        var gz = await _harness.BackupAsync("rtone_src", ["infinite-prod"]);
        var sql = RoundTripHarness.ReadPlain(gz);
        Assert.Contains("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public;", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("DROP EXTENSION", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("infinite-staging", sql, StringComparison.Ordinal);
        await AssertRestoresIdenticallyTwiceAsync("rtone_src", "rtone_dst", "rtone_owner", gz, "infinite-prod");
    }
}
