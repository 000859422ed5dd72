using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Fixtures;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresServer server)
{
    [Fact]
    public async Task Throwaway_cluster_answers_on_loopback_with_a_real_server_version()
    {
        var version = await server.ScalarAsync<string>("SHOW server_version_num");
        Assert.True(int.Parse(version!, System.Globalization.CultureInfo.InvariantCulture) >= 140000);
        await server.CreateDatabaseAsync("fixture_smoke", owner: "smoke_owner");
        var owner = await server.ScalarAsync<string>("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'fixture_smoke'");
        Assert.Equal("smoke_owner", owner);
    }
}
