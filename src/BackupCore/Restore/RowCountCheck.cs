using BackupCore.Running;
using BackupCore.Storage;
using Npgsql;

namespace BackupCore.Restore;

/// <summary>One table's rows: what the manifest recorded at backup time and what the restored database holds.</summary>
/// <param name="Actual">Null when the table is missing from the database.</param>
public sealed record TableRowCount(string Schema, string Table, long Expected, long? Actual)
{
    public bool Matches => Actual == Expected;
}

/// <summary>Counts the rows of every table of a manifest in a restored database and compares them with the manifest.</summary>
public static class RowCountCheck
{
    public static async Task<IReadOnlyList<TableRowCount>> RunAsync(string connectionString, IReadOnlyList<ManifestTable> expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var csb = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0, Pooling = false };
        await using var dataSource = new NpgsqlDataSourceBuilder(csb.ConnectionString).Build();
        await using var connection = await ConnectionErrors.OpenAsync(dataSource, cancellationToken);
        var results = new List<TableRowCount>(expected.Count);
        foreach (var table in expected)
        {
            var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
            await using (exists)
            {
                exists.Parameters.Add(new NpgsqlParameter { Value = TargetDatabase.QuoteIdent(table.Schema) + "." + TargetDatabase.QuoteIdent(table.Table) });
                if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
                {
                    results.Add(new TableRowCount(table.Schema, table.Table, table.Rows, null));
                    continue;
                }
            }

            // ONLY: a partitioned table's rows are counted at its partitions, each of which has its own entry.
            await using var count = new NpgsqlCommand(
                $"SELECT count(*) FROM ONLY {TargetDatabase.QuoteIdent(table.Schema)}.{TargetDatabase.QuoteIdent(table.Table)}", connection);
            var actual = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            results.Add(new TableRowCount(table.Schema, table.Table, table.Rows, actual));
        }

        return results;
    }
}
