using System.Runtime.CompilerServices;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// ROW SECURITY entries: <c>ALTER TABLE s.t ENABLE ROW LEVEL SECURITY;</c> for each table with row level security
/// enabled (pg_dump.c dumpPolicy with no policy name). The defn has no trailing newline and no drop statement,
/// exactly as pg_dump writes it. FORCE ROW LEVEL SECURITY is part of the TABLE entry in pg_dump, not this one.
/// The entry also waits for every foreign key on or to the table (a partition's, through the root constraint that
/// is dumped): once row security is enabled on a forced table, the key's validation query runs under pg_restore's
/// row_security = off and is refused ("query would be affected by row-level security policy"), so with
/// <c>pg_restore -j</c> the order must not be left to chance. In a serial restore FKs come first anyway (priorities).
/// </summary>
internal sealed class RowSecuritySource : ICatalogObjectSource
{
    private const string Query = """
        SELECT c.oid, n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
               ARRAY(WITH RECURSIVE fk(oid, conparentid) AS (
                         SELECT f.oid, f.conparentid FROM pg_catalog.pg_constraint f
                          WHERE f.contype = 'f' AND (f.conrelid = c.oid OR f.confrelid = c.oid)
                         UNION ALL SELECT p.oid, p.conparentid FROM pg_catalog.pg_constraint p JOIN fk ON p.oid = fk.conparentid)
                     SELECT fk.oid FROM fk WHERE fk.conparentid = 0) AS foreign_keys
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relrowsecurity
          AND c.relkind IN ('r', 'p')
          AND c.relnamespace = ANY ($1)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY n.nspname, c.relname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = await CatalogQuery.ListAsync<(uint Oid, string Schema, string Table, string? Owner, uint[] ForeignKeys)>(
            context,
            Query,
            reader => (reader.GetFieldValue<uint>(0), reader.GetString(1), reader.GetString(2), reader.NullableString(3), reader.GetFieldValue<uint[]>(4)),
            cancellationToken).ConfigureAwait(false);

        foreach (var r in rows)
        {
            // No Id: nothing depends on it, and pg_dump's (0, table oid) identity would collide with TABLE DATA's.
            yield return new CatalogObject
            {
                Desc = "ROW SECURITY",
                Tag = r.Table,
                Section = DumpSection.PostData,
                Namespace = r.Schema,
                Definition = "ALTER TABLE " + context.Quoting.Qualified(r.Schema, r.Table) + " ENABLE ROW LEVEL SECURITY;",
                Owner = r.Owner,
                DependsOn = [CatalogClassIds.Class(r.Oid), .. r.ForeignKeys.Select(CatalogClassIds.Constraint)],
                Priority = ObjectPriority.Policy,
            };
        }
    }
}
