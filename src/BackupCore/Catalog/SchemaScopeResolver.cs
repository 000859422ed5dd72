using Npgsql;

namespace BackupCore.Catalog;

/// <summary>Turns the requested schema list into (name, oid) pairs; empty means every non-system schema.</summary>
internal static class SchemaScopeResolver
{
    // pg_dump's selectDumpableNamespace: pg_catalog, information_schema, pg_toast* and pg_temp* are system schemas.
    private const string AllQuery = """
        SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
         WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
         ORDER BY n.nspname
        """;

    private const string OneQuery = "SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = $1";

    public static async Task<IReadOnlyList<(string Name, uint Oid)>> ResolveAsync(NpgsqlConnection connection, IReadOnlyList<string> requested, CancellationToken cancellationToken)
    {
        var result = new List<(string, uint)>();
        if (requested.Count == 0)
        {
            await using var cmd = new NpgsqlCommand(AllQuery, connection);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                result.Add((reader.GetString(1), reader.GetFieldValue<uint>(0)));
            }

            return result;
        }

        foreach (var name in requested.Distinct(StringComparer.Ordinal))
        {
            await using var cmd = new NpgsqlCommand(OneQuery, connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = name });
            var oid = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (oid is not uint value)
            {
                throw new BackupException(
                    $"schema \"{name}\" does not exist in database \"{connection.Database}\"",
                    "check the --schema names (they are case-sensitive and given without quotes)");
            }

            result.Add((name, value));
        }

        return result;
    }
}
