using Npgsql;

namespace BackupCore.Catalog;

/// <summary>
/// Takes ACCESS SHARE on every dumped table and partition inside the dump transaction, as pg_dump does
/// (getTables: "LOCK TABLE ... IN ACCESS SHARE MODE", tables only: LOCK TABLE rejects materialized views
/// and foreign tables with SQLSTATE 42809 in PostgreSQL 15, lockcmds.c), so concurrent DDL cannot change a
/// table between reading its definition and copying its rows. A lock that is not granted within the
/// scope's timeout fails the backup naming the table; so does a table the role may not read.
/// </summary>
internal static class TableLocker
{
    private const string TablesQuery = """
        SELECT n.nspname, c.relname
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relnamespace = ANY($1) AND c.relkind IN ('r', 'p')
           AND (NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                             WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')
                -- extension configuration tables: their rows are dumped (ExtensionConfigSource)
                OR c.oid IN (SELECT pg_catalog.unnest(e.extconfig) FROM pg_catalog.pg_extension e))
         ORDER BY n.nspname, c.relname
        """;

    public static async Task LockAsync(CatalogContext context, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var tables = new List<(string Schema, string Name)>();
        await using (var cmd = new NpgsqlCommand(TablesQuery, context.Connection))
        {
            cmd.Parameters.Add(context.SchemaOidsParameter());
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                tables.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var ms = Math.Max(1, (long)lockTimeout.TotalMilliseconds);
        await ExecuteAsync(context.Connection, $"SET LOCAL lock_timeout = {ms}", cancellationToken).ConfigureAwait(false);
        foreach (var (schema, name) in tables)
        {
            var qualified = context.Quoting.Qualified(schema, name);
            try
            {
                await ExecuteAsync(context.Connection, $"LOCK TABLE {qualified} IN ACCESS SHARE MODE", cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new BackupException(
                    $"table {qualified}: could not lock it ACCESS SHARE within {lockTimeout.TotalSeconds:0.###} s (SQLSTATE {e.SqlState}): another session holds a conflicting lock",
                    "find the blocking session in pg_locks / pg_stat_activity, or raise the lock timeout",
                    e);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new BackupException(
                    $"table {qualified}: the backup role may not read it (SQLSTATE {e.SqlState}): {e.MessageText}",
                    "GRANT SELECT on the table (or the schema's tables) to the backup role, or leave its schema out",
                    e);
            }
        }

        // Locks are held until the transaction ends; later statements should not inherit the short timeout.
        await ExecuteAsync(context.Connection, "SET LOCAL lock_timeout = 0", cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
