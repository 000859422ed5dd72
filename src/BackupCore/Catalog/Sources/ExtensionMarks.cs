namespace BackupCore.Catalog.Sources;

/// <summary>
/// <c>ALTER ... DEPENDS ON EXTENSION</c> marks (pg_depend deptype 'x') on functions, procedures, triggers, indexes and
/// materialized views, appended to the object's own entry as pg_dump.c's append_depends_on_extension does. The
/// marked objects also name the extensions among their dependencies, so a schema-list backup brings them along.
/// </summary>
internal static class ExtensionMarks
{
    /// <summary>The extensions each object of <paramref name="catalog"/> (e.g. "pg_proc") is marked with, by object oid.</summary>
    public static async Task<ILookup<uint, (uint Extension, string Name)>> ReadAsync(CatalogContext context, string catalog, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT d.objid, e.oid, e.extname
              FROM pg_catalog.pg_depend d
              JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
             WHERE d.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass AND d.deptype = 'x'
               AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
             ORDER BY d.objid, e.extname
            """;
        var rows = await CatalogQuery.ListAsync(context, sql, r => (Object: r.GetFieldValue<uint>(0), Extension: r.GetFieldValue<uint>(1), Name: r.GetString(2)), cancellationToken).ConfigureAwait(false);
        return rows.ToLookup(r => r.Object, r => (r.Extension, r.Name));
    }

    /// <summary>"ALTER {keyword} {name} DEPENDS ON EXTENSION e;\n" per mark, or "".</summary>
    public static string Clauses(SqlQuoting quoting, string keyword, string name, IEnumerable<(uint Extension, string Name)> marks) =>
        string.Concat(marks.Select(m => $"ALTER {keyword} {name} DEPENDS ON EXTENSION {quoting.Ident(m.Name)};\n"));

    /// <summary>The marks as dependencies on the extensions' entries.</summary>
    public static IEnumerable<CatalogObjectId> Dependencies(IEnumerable<(uint Extension, string Name)> marks) =>
        marks.Select(m => new CatalogObjectId(CatalogClassIds.PgExtension, m.Extension));
}
