using BackupCore.Catalog;
using BackupCore.Tests.Catalog;
using BackupCore.Tests.Fixtures;

namespace BackupCore.Tests.Fidelity;

/// <summary>Large objects: never left out silently.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LargeObjectTests(PostgresServer server)
{
    [Fact]
    public async Task A_database_with_large_objects_fails_the_backup_naming_them()
    {
        await server.CreateDatabaseAsync("fid_lo_refused");
        await server.ExecuteAsync(
            "CREATE SCHEMA app; CREATE TABLE app.t (id int); SELECT lo_from_bytea(424242, 'hello'); SELECT lo_from_bytea(424243, 'world')",
            "fid_lo_refused");

        var e = await Assert.ThrowsAsync<BackupException>(() => CatalogPlanReader.ReadAsync(server, "fid_lo_refused"));
        Assert.Contains("2 large objects (oid 424242, 424243)", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Hint);

        var plan = await CatalogPlanReader.ReadAsync(server, "fid_lo_refused", new CatalogScope(["app"], TimeSpan.FromSeconds(5)));
        Assert.Contains(plan.Entries, x => x.Desc == "TABLE" && x.Tag == "t");
    }
}
