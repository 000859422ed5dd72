using System.Runtime.CompilerServices;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// SCHEMA entries (pg_dump.c dumpNamespace). <c>public</c> gets none: initdb creates it, and pg_dump 15
/// leaves it out when its owner is still pg_database_owner; dropping it would fail for a non-owner.
/// </summary>
internal sealed class SchemaSource : ICatalogObjectSource
{
    private const string Query = """
        SELECT n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner)
          FROM pg_catalog.pg_namespace n
         WHERE n.oid = ANY($1) AND n.nspname <> 'public'
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                            WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objid = n.oid AND d.deptype = 'e')
         ORDER BY n.nspname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await using var cmd = new NpgsqlCommand(Query, context.Connection);
        cmd.Parameters.Add(context.SchemaOidsParameter());
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = reader.GetString(1);
            var quoted = context.Quoting.Ident(name);
            yield return new CatalogObject
            {
                Id = CatalogClassIds.Namespace(reader.GetFieldValue<uint>(0)),
                Desc = "SCHEMA",
                Tag = name,
                Section = DumpSection.PreData,
                Definition = $"CREATE SCHEMA {quoted};\n",
                DropStatement = $"DROP SCHEMA {quoted};\n",
                Owner = reader.GetString(2),
                Priority = ObjectPriority.Namespace,
            };
        }
    }
}
