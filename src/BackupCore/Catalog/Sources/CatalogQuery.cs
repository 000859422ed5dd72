using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>Runs one catalog query with the schema-oid parameter as $1 and hands each row to a reader.</summary>
internal static class CatalogQuery
{
    public static async Task<List<T>> ListAsync<T>(CatalogContext context, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        var result = new List<T>();
        await using var cmd = new NpgsqlCommand(sql, context.Connection);
        if (sql.Contains("$1", StringComparison.Ordinal))
        {
            cmd.Parameters.Add(context.SchemaOidsParameter());
        }

        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(map(reader));
        }

        return result;
    }

    public static string? NullableString(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>SQL: the object (pg_class, pg_type, ...) with this oid is not a member of an extension.</summary>
    public static string NotExtensionMember(string catalog, string oidExpression) =>
        $"NOT EXISTS (SELECT FROM pg_catalog.pg_depend xd WHERE xd.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass AND xd.objid = {oidExpression} AND xd.deptype = 'e')";
}
