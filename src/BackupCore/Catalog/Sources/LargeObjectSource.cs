using System.Globalization;
using System.Runtime.CompilerServices;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Large objects (pg_largeobject_metadata). pg_dump dumps them with the whole database (not with a schema list, as
/// here). This engine does not write them yet, so a database that has any fails the backup, naming how many and
/// the first oids, instead of a backup that silently lacks them.
/// </summary>
internal sealed class LargeObjectSource : ICatalogObjectSource
{
    private const string Query = """
        SELECT pg_catalog.count(*), (SELECT pg_catalog.array_agg(f.oid) FROM (SELECT m.oid FROM pg_catalog.pg_largeobject_metadata m ORDER BY m.oid LIMIT 5) f)
          FROM pg_catalog.pg_largeobject_metadata
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.AllSchemas)
        {
            yield break;
        }

        var found = (await CatalogQuery.ListAsync(context, Query, r => (Count: r.GetInt64(0), First: r.IsDBNull(1) ? [] : r.GetFieldValue<uint[]>(1)), cancellationToken).ConfigureAwait(false))[0];
        if (found.Count > 0)
        {
            var oids = string.Join(", ", found.First.Select(o => o.ToString(CultureInfo.InvariantCulture))) + (found.Count > found.First.Length ? ", ..." : "");
            throw new BackupException(
                $"cannot dump {found.Count} large object{(found.Count == 1 ? "" : "s")} (oid {oids}): large objects are not supported by this backup engine",
                "back up the schemas with --schema (large objects belong to no schema), or move the data into bytea columns");
        }
    }
}
