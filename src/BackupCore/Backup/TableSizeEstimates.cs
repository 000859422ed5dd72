using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Backup;

/// <summary>
/// How big each table of the plan is, from the catalog (the table's on-disk size and the planner's row estimate), read
/// in the backup's session. Only for the progress display's fraction and time left: a wrong estimate makes a wrong
/// ETA, never a wrong backup. A table that was never analyzed (reltuples -1 on PostgreSQL 14+, 0 before) counts by size alone.
/// </summary>
internal sealed class TableSizeEstimates
{
    private readonly Dictionary<(string Schema, string Table), (long Bytes, double Rows)> _sizes;
    private readonly long _total;

    private TableSizeEstimates(Dictionary<(string, string), (long, double)> sizes)
    {
        _sizes = sizes;
        _total = Math.Max(1, sizes.Values.Sum(s => s.Item1));
    }

    public static async Task<TableSizeEstimates> ReadAsync(NpgsqlConnection connection, IEnumerable<TableDataSource> tables, CancellationToken cancellationToken)
    {
        var list = tables.ToList();
        var sizes = new Dictionary<(string, string), (long, double)>();
        await using var command = new NpgsqlCommand(
            """
            SELECT n.nspname, c.relname, pg_catalog.pg_relation_size(c.oid), c.reltuples::float8
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = list.Select(t => t.Schema).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = list.Select(t => t.Table).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sizes[(reader.GetString(0), reader.GetString(1))] = (reader.GetInt64(2), reader.GetDouble(3));
        }

        return new TableSizeEstimates(sizes);
    }

    /// <summary>The share of all tables' size that one table is.</summary>
    public double Share(TableDataSource table) => _sizes.TryGetValue((table.Schema, table.Table), out var s) ? (double)s.Bytes / _total : 0;

    /// <summary>How far into <paramref name="table"/> the copy is, by its row estimate (0 to 1); 0 when unknown.</summary>
    public double Within(TableDataSource table, long rows) =>
        _sizes.TryGetValue((table.Schema, table.Table), out var s) && s.Rows > 0 ? Math.Min(1, rows / s.Rows) : 0;
}
