using BackupCore.Backup;
using BackupCore.Storage;
using Npgsql;

namespace BackupCore.Restore;

/// <summary>One table's rows: what the manifest recorded at backup time and what the restored database holds.</summary>
/// <param name="Actual">Null when the table is missing from the database.</param>
public sealed record TableRowCount(string Schema, string Table, long Expected, long? Actual)
{
    public bool Matches => Actual == Expected;
}

/// <summary>
/// Counts the rows of every table of a manifest in a restored database and compares them with the manifest.
/// Counts see every row, as the backup's COPY did: the session runs with <c>row_security = off</c> (pg_dump's
/// setting), so a policy never filters a count silently; a table whose policies still apply to the counting
/// role (its owner under <c>FORCE ROW LEVEL SECURITY</c>) is counted with the force lifted inside a
/// transaction that is rolled back.
/// </summary>
public static class RowCountCheck
{
    public static async Task<IReadOnlyList<TableRowCount>> RunAsync(string connectionString, IReadOnlyList<ManifestTable> expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var csb = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0, Pooling = false };
        await using var dataSource = new NpgsqlDataSourceBuilder(csb.ConnectionString).Build();
        await using var connection = await ConnectionErrors.OpenAsync(dataSource, cancellationToken);
        await using (var setup = new NpgsqlCommand("SET row_security = off", connection))
        {
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }

        var results = new List<TableRowCount>(expected.Count);
        foreach (var table in expected)
        {
            var name = TargetDatabase.QuoteIdent(table.Schema) + "." + TargetDatabase.QuoteIdent(table.Table);
            var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
            await using (exists)
            {
                exists.Parameters.Add(new NpgsqlParameter { Value = name });
                if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
                {
                    results.Add(new TableRowCount(table.Schema, table.Table, table.Rows, null));
                    continue;
                }
            }

            results.Add(new TableRowCount(table.Schema, table.Table, table.Rows, await CountAsync(connection, table, name, cancellationToken)));
        }

        return results;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, ManifestTable table, string name, CancellationToken cancellationToken)
    {
        // ONLY: a partitioned table's rows are counted at its partitions, each of which has its own entry.
        var count = $"SELECT count(*) FROM ONLY {name}";
        try
        {
            return await ScalarAsync(connection, count, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // With row_security = off, a query that a policy would filter fails with 42501 instead (rls.c,
            // check_enable_rls). The owner is subject to policies only under FORCE ROW LEVEL SECURITY, which it
            // may lift: do so in a transaction that is rolled back, so the restored table keeps its setting.
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var lift = new NpgsqlCommand($"ALTER TABLE ONLY {name} NO FORCE ROW LEVEL SECURITY", connection, transaction))
            {
                await lift.ExecuteNonQueryAsync(cancellationToken);
            }

            return await ScalarAsync(connection, count, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new BackupException(
                $"table {table.Schema}.{table.Table}: row level security hides rows from the restoring role, so its rows cannot be counted",
                hint: "check the row counts as the table's owner, a superuser or a role with BYPASSRLS");
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
