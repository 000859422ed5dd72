using System.Globalization;
using System.Runtime.CompilerServices;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Large objects, dumped with the whole database as pg_dump 15 does (getBlobs, dumpBlob, dumpBlobs; not with a schema
/// list, since they belong to no schema): one pre-data BLOB entry per object, <c>SELECT pg_catalog.lo_create('oid');</c>,
/// its comment, and one BLOBS data entry that carries every object's contents (the runner streams them,
/// <c>Running/LargeObjectCopier</c>). Owners and grants are not written (--no-owner --no-acl).
/// </summary>
internal sealed class LargeObjectSource : ICatalogObjectSource
{
    private const string Query = """
        SELECT m.oid, pg_catalog.pg_get_userbyid(m.lomowner), d.description
          FROM pg_catalog.pg_largeobject_metadata m
          LEFT JOIN pg_catalog.pg_description d
                 ON d.classoid = 'pg_catalog.pg_largeobject'::pg_catalog.regclass AND d.objoid = m.oid AND d.objsubid = 0
         ORDER BY m.oid
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.AllSchemas)
        {
            yield break;
        }

        var objects = await CatalogQuery.ListAsync(
            context,
            Query,
            r => (Oid: r.GetFieldValue<uint>(0), Owner: r.GetString(1), Comment: r.NullableString(2)),
            cancellationToken).ConfigureAwait(false);
        if (objects.Count == 0)
        {
            yield break;
        }

        foreach (var o in objects)
        {
            var oid = o.Oid.ToString(CultureInfo.InvariantCulture);
            var id = new CatalogObjectId(CatalogClassIds.PgLargeObject, o.Oid);
            yield return new CatalogObject
            {
                Id = id,
                Desc = "BLOB",
                Tag = oid,
                Section = DumpSection.PreData,
                Definition = $"SELECT pg_catalog.lo_create('{oid}');\n",
                DropStatement = $"SELECT pg_catalog.lo_unlink('{oid}');\n",
                Owner = o.Owner,
                Priority = ObjectPriority.LargeObject,
            };

            if (o.Comment is not null)
            {
                // pg_dump.c dumpComment("LARGE OBJECT", oid, no namespace), right after the object.
                yield return CommentSource.Entry(context.Quoting, "LARGE OBJECT", oid, null, o.Comment, o.Owner, id, 0);
            }
        }

        // pg_dump.c getBlobs: one "BLOBS" data entry (tag BLOBS, no owner, no catalog identity) for all contents,
        // written in oid order (dumpBlobs: ORDER BY 1).
        yield return new CatalogObject
        {
            Desc = "BLOBS",
            Tag = "BLOBS",
            Section = DumpSection.Data,
            Priority = ObjectPriority.LargeObjectData,
            LargeObjects = objects.Select(o => o.Oid).ToList(),
        };
    }
}
