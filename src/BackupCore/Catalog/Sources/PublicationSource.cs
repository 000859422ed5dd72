using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Logical replication publications, post-data, as pg_dump.c writes them (dumpPublication, dumpPublicationTable,
/// dumpPublicationNamespace): <c>CREATE PUBLICATION p [FOR ALL TABLES] WITH (publish = '...'[, publish_via_partition_root
/// = true][, publish_generated_columns = stored]);</c>, one <c>ALTER PUBLICATION p ADD TABLE ONLY s.t [(columns)] [WHERE (...)];</c> per member table and one
/// <c>ALTER PUBLICATION p ADD TABLES IN SCHEMA s;</c> per member schema, plus their comments. Like pg_dump, only a
/// whole-database backup has them (they belong to no schema); membership of a table or schema outside the dump is left
/// out, as there. Owners are not written (--no-owner), so the restoring role owns them.
/// </summary>
internal sealed class PublicationSource : ICatalogObjectSource
{
    // publish_generated_columns is PostgreSQL 18+ (pg_dump.c getPublications: pubgencols 's' is "stored").
    private static string PublicationsQuery(CatalogContext context) => $"""
        SELECT p.oid, p.pubname, pg_catalog.pg_get_userbyid(p.pubowner), p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete,
               p.pubtruncate, p.pubviaroot, d.description,
               {(context.AtLeast(PgVersion.V18) ? "p.pubgencols = 's'" : "false")}
          FROM pg_catalog.pg_publication p
          LEFT JOIN pg_catalog.pg_description d
                 ON d.classoid = 'pg_catalog.pg_publication'::pg_catalog.regclass AND d.objoid = p.oid AND d.objsubid = 0
         ORDER BY p.pubname
        """;

    // Row filters and column lists are PostgreSQL 15+ (pg_dump.c getPublicationTables).
    private static string TablesQuery(CatalogContext context) => $"""
        SELECT pr.oid, pr.prpubid, pr.prrelid, n.nspname, c.relname,
               {(context.AtLeast(PgVersion.V15) ? "pg_catalog.pg_get_expr(pr.prqual, pr.prrelid)" : "NULL::pg_catalog.text")},
               {(context.AtLeast(PgVersion.V15)
                   ? "CASE WHEN pr.prattrs IS NOT NULL THEN ARRAY(SELECT a.attname FROM pg_catalog.generate_series(0, pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[], 1)) s JOIN pg_catalog.pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = pr.prattrs[s] ORDER BY s) END"
                   : "NULL::pg_catalog.name[]")}
          FROM pg_catalog.pg_publication_rel pr
          JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relnamespace = ANY ($1)
           AND {CatalogQuery.NotExtensionMember("pg_class", "c.oid")}
         ORDER BY pr.oid
        """;

    // TABLES IN SCHEMA is PostgreSQL 15+ (pg_publication_namespace).
    private const string SchemasQuery = """
        SELECT pn.oid, pn.pnpubid, pn.pnnspid, n.nspname
          FROM pg_catalog.pg_publication_namespace pn
          JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid
         WHERE pn.pnnspid = ANY ($1)
         ORDER BY pn.oid
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.AllSchemas)
        {
            yield break;
        }

        var publications = await CatalogQuery.ListAsync(
            context,
            PublicationsQuery(context),
            r => (Oid: r.GetFieldValue<uint>(0), Name: r.GetString(1), Owner: r.GetString(2), AllTables: r.GetBoolean(3), Insert: r.GetBoolean(4),
                Update: r.GetBoolean(5), Delete: r.GetBoolean(6), Truncate: r.GetBoolean(7), ViaRoot: r.GetBoolean(8), Comment: r.NullableString(9),
                StoredGenerated: r.GetBoolean(10)),
            cancellationToken).ConfigureAwait(false);
        if (publications.Count == 0)
        {
            yield break;
        }

        var q = context.Quoting;
        var byOid = publications.ToDictionary(p => p.Oid);
        foreach (var p in publications)
        {
            var name = q.Ident(p.Name);
            var actions = new[] { (p.Insert, "insert"), (p.Update, "update"), (p.Delete, "delete"), (p.Truncate, "truncate") }.Where(a => a.Item1).Select(a => a.Item2);
            var sql = new StringBuilder("CREATE PUBLICATION ").Append(name);
            if (p.AllTables)
            {
                sql.Append(" FOR ALL TABLES");
            }

            sql.Append(" WITH (publish = '").Append(string.Join(", ", actions)).Append('\'');
            if (p.ViaRoot)
            {
                sql.Append(", publish_via_partition_root = true");
            }

            if (p.StoredGenerated)
            {
                sql.Append(", publish_generated_columns = stored");
            }

            sql.Append(");\n");
            var id = new CatalogObjectId(CatalogClassIds.PgPublication, p.Oid);
            yield return new CatalogObject
            {
                Id = id,
                Desc = "PUBLICATION",
                Tag = p.Name,
                Section = DumpSection.PostData,
                Definition = sql.ToString(),
                DropStatement = $"DROP PUBLICATION {name};\n",
                Owner = p.Owner,
                Priority = ObjectPriority.Publication,
            };

            if (p.Comment is not null)
            {
                // pg_dump.c dumpComment("PUBLICATION", name, no namespace), right after the publication.
                yield return CommentSource.Entry(q, "PUBLICATION", name, null, p.Comment, p.Owner, id, 0);
            }
        }

        var tables = await CatalogQuery.ListAsync(
            context,
            TablesQuery(context),
            r => (Oid: r.GetFieldValue<uint>(0), Publication: r.GetFieldValue<uint>(1), Table: r.GetFieldValue<uint>(2), Schema: r.GetString(3), Name: r.GetString(4),
                Where: r.NullableString(5), Columns: r.IsDBNull(6) ? null : r.GetFieldValue<string[]>(6)),
            cancellationToken).ConfigureAwait(false);
        foreach (var t in tables)
        {
            var p = byOid[t.Publication];
            var sql = new StringBuilder("ALTER PUBLICATION ").Append(q.Ident(p.Name)).Append(" ADD TABLE ONLY ").Append(q.Qualified(t.Schema, t.Name));
            if (t.Columns is not null)
            {
                sql.Append(" (").Append(string.Join(", ", t.Columns.Select(q.Ident))).Append(')');
            }

            if (t.Where is not null)
            {
                // pg_dump: parenthesized, since pg_get_expr leaves them out for things like WHERE TRUE.
                sql.Append(" WHERE (").Append(t.Where).Append(')');
            }

            yield return new CatalogObject
            {
                Id = new CatalogObjectId(CatalogClassIds.PgPublicationRel, t.Oid),
                Desc = "PUBLICATION TABLE",
                Tag = p.Name + " " + t.Name,
                SortTag = t.Name, // pg_dump_sort.c: by the table's name, then the publication's
                Namespace = t.Schema,
                Section = DumpSection.PostData,
                Definition = sql.Append(";\n").ToString(),
                Owner = p.Owner,
                DependsOn = [new CatalogObjectId(CatalogClassIds.PgPublication, p.Oid), CatalogClassIds.Class(t.Table)],
                Priority = ObjectPriority.PublicationTable,
            };
        }

        if (!context.AtLeast(PgVersion.V15))
        {
            yield break;
        }

        var schemas = await CatalogQuery.ListAsync(
            context,
            SchemasQuery,
            r => (Oid: r.GetFieldValue<uint>(0), Publication: r.GetFieldValue<uint>(1), Schema: r.GetFieldValue<uint>(2), Name: r.GetString(3)),
            cancellationToken).ConfigureAwait(false);
        foreach (var s in schemas)
        {
            var p = byOid[s.Publication];
            yield return new CatalogObject
            {
                Id = new CatalogObjectId(CatalogClassIds.PgPublicationNamespace, s.Oid),
                Desc = "PUBLICATION TABLES IN SCHEMA",
                Tag = p.Name + " " + s.Name,
                SortTag = s.Name,
                Namespace = s.Name,
                Section = DumpSection.PostData,
                Definition = $"ALTER PUBLICATION {q.Ident(p.Name)} ADD TABLES IN SCHEMA {q.Ident(s.Name)};\n",
                Owner = p.Owner,
                DependsOn = [new CatalogObjectId(CatalogClassIds.PgPublication, p.Oid), CatalogClassIds.Namespace(s.Schema)],
                Priority = ObjectPriority.PublicationTablesInSchema,
            };
        }
    }
}
