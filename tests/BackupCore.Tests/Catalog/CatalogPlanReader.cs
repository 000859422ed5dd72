using System.Data;
using BackupCore.Catalog;
using BackupCore.Plan;
using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.Catalog;

/// <summary>Reads a plan the way the runner does: one REPEATABLE READ, READ ONLY transaction with an empty search_path.</summary>
internal static class CatalogPlanReader
{
    public static async Task<DumpPlan> ReadAsync(PostgresServer server, string database, CatalogScope? scope = null, string? user = null)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString(database, user));
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        await using (var cmd = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL search_path = ''; SET LOCAL DateStyle = ISO; SET LOCAL extra_float_digits = 3", connection, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var info = await ServerInfo.ReadAsync(connection, CancellationToken.None);
        return await new CatalogReader().ReadAsync(connection, info, scope ?? CatalogScope.AllSchemas, CancellationToken.None);
    }

    public static DumpEntry Single(this DumpPlan plan, string desc, string tag) =>
        plan.Entries.Single(e => e.Desc == desc && e.Tag == tag);
}
