using System.Runtime.CompilerServices;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// EXTENSION entries (pg_dump.c dumpExtension): <c>CREATE EXTENSION IF NOT EXISTS x WITH SCHEMA s;</c>.
/// Extensions created by initdb (plpgsql) are left out, as pg_dump does. When only some schemas are dumped,
/// an extension is dumped only if a dumped object uses it, and without a DROP: other schemas of the source
/// may still use it, and the restore must not try to remove it.
/// </summary>
internal sealed class ExtensionSource : ICatalogObjectSource
{
    private const string Query = """
        SELECT e.oid, e.extname, n.nspname
          FROM pg_catalog.pg_extension e
          JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
         WHERE e.oid >= 16384
         ORDER BY e.extname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await using var cmd = new NpgsqlCommand(Query, context.Connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = context.Quoting.Ident(reader.GetString(1));
            yield return new CatalogObject
            {
                Id = new CatalogObjectId(CatalogClassIds.PgExtension, reader.GetFieldValue<uint>(0)),
                Desc = "EXTENSION",
                Tag = reader.GetString(1),
                Section = DumpSection.PreData,
                Definition = $"CREATE EXTENSION IF NOT EXISTS {name} WITH SCHEMA {context.Quoting.Ident(reader.GetString(2))};\n",
                DropStatement = context.AllSchemas ? $"DROP EXTENSION {name};\n" : null,
                OnlyIfReferenced = !context.AllSchemas,
                Priority = ObjectPriority.Extension,
            };
        }
    }
}
