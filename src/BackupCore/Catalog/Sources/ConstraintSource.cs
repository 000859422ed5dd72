using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Primary key, unique and exclusion constraints (desc "CONSTRAINT") and foreign keys ("FK CONSTRAINT"),
/// post-data, from pg_get_constraintdef (pg_dump.c dumpConstraint). CLUSTER ON and REPLICA IDENTITY USING
/// INDEX ride along in the constraint's entry as pg_dump does. A partition's constraint that belongs to its
/// parent's (conparentid set) has no drop of its own: it goes when the parent's is dropped, and dropping it
/// alone fails, which is what breaks a second restore of pg_dump's own output. Foreign keys cloned onto
/// partitions are not dumped at all; they come back with the parent's. A foreign key to a partitioned table
/// depends on the INDEX ATTACH entries of the referenced key's partition indexes, as in pg_dump.
/// </summary>
internal sealed class ConstraintSource : ICatalogObjectSource
{
    private static readonly string Query = $"""
        SELECT k.oid, k.contype, k.conname, pg_catalog.pg_get_constraintdef(k.oid), k.conparentid <> 0,
               n.nspname, c.relname, c.relkind, pg_catalog.pg_get_userbyid(c.relowner),
               COALESCE(i.indisclustered, false), COALESCE(i.indisreplident, false),
               CASE WHEN ic.reltablespace = 0 OR ic.oid IS NULL THEN '' ELSE (SELECT t.spcname FROM pg_catalog.pg_tablespace t WHERE t.oid = ic.reltablespace) END,
               CASE WHEN k.contype = 'f' AND rc.relkind = 'p' THEN ARRAY(
                   WITH RECURSIVE part(oid) AS (
                       SELECT h.inhrelid FROM pg_catalog.pg_inherits h WHERE h.inhparent = k.conindid
                       UNION ALL SELECT h.inhrelid FROM pg_catalog.pg_inherits h JOIN part ON h.inhparent = part.oid)
                   SELECT part.oid FROM part) ELSE ARRAY[]::pg_catalog.oid[] END,
               COALESCE(ic.oid, 0), ic.relname, COALESCE(ic.reloptions, ARRAY[]::pg_catalog.text[])
          FROM pg_catalog.pg_constraint k
          JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = k.conindid AND k.contype IN ('p', 'u', 'x')
          LEFT JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
          LEFT JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid
         WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1)
           AND (k.contype IN ('p', 'u', 'x') OR (k.contype = 'f' AND k.conparentid = 0))
           AND {CatalogQuery.NotExtensionMember("pg_class", "c.oid")}
         ORDER BY n.nspname, c.relname, k.conname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var q = context.Quoting;
        var rows = await CatalogQuery.ListAsync(
            context,
            Query,
            r => (Oid: r.GetFieldValue<uint>(0), Type: r.GetChar(1), Name: r.GetString(2), Def: r.GetString(3), HasParent: r.GetBoolean(4),
                Schema: r.GetString(5), Table: r.GetString(6), Kind: r.GetChar(7), Owner: r.GetString(8),
                Clustered: r.GetBoolean(9), ReplicaIdentity: r.GetBoolean(10), Tablespace: r.GetString(11),
                ReferencedPartitionIndexes: r.GetFieldValue<uint[]>(12), Index: r.GetFieldValue<uint>(13), IndexName: r.NullableString(14),
                IndexOptions: r.GetFieldValue<string[]>(15)),
            cancellationToken).ConfigureAwait(false);
        var marks = await ExtensionMarks.ReadAsync(context, "pg_class", cancellationToken).ConfigureAwait(false);

        foreach (var k in rows)
        {
            var table = q.Qualified(k.Schema, k.Table);
            var constraint = q.Ident(k.Name);
            var foreign = k.Type == 'f';

            // ONLY cannot be used to add (or drop) a foreign key on a partitioned table (tablecmds.c).
            var only = foreign && k.Kind == 'p' ? "" : "ONLY ";
            var definition = k.Def;
            if (k.Type is 'p' or 'u' && k.IndexOptions.Length > 0)
            {
                // pg_dump.c dumpConstraint builds a key's text itself, with the index's storage parameters after the
                // column lists; pg_get_constraintdef leaves them out. Only DEFERRABLE / INITIALLY DEFERRED follow the
                // last parenthesis, so the WITH goes right after it.
                var end = definition.LastIndexOf(')') + 1;
                definition = definition[..end] + " WITH (" + Reloptions.List(q, k.IndexOptions) + ")" + definition[end..];
            }

            var sb = new StringBuilder($"ALTER TABLE {only}{table}\n    ADD CONSTRAINT {constraint} {definition};\n");
            if (k.Clustered)
            {
                sb.Append($"\nALTER TABLE {table} CLUSTER ON {constraint};\n");
            }

            if (k.ReplicaIdentity)
            {
                sb.Append($"\nALTER TABLE ONLY {table} REPLICA IDENTITY USING INDEX {constraint};\n");
            }

            var indexMarks = marks[k.Index].ToList();
            if (k.IndexName is not null)
            {
                sb.Append(ExtensionMarks.Clauses(q, "INDEX", q.Qualified(k.Schema, k.IndexName), indexMarks));
            }

            yield return new CatalogObject
            {
                Id = CatalogClassIds.Constraint(k.Oid),
                Desc = foreign ? "FK CONSTRAINT" : "CONSTRAINT",
                Tag = k.Table + " " + k.Name,
                SortTag = k.Name,
                Namespace = k.Schema,
                Section = DumpSection.PostData,
                Definition = sb.ToString(),
                DropStatement = k.HasParent ? null : $"ALTER TABLE {(k.Kind == 'p' ? "" : "ONLY ")}{table} DROP CONSTRAINT {constraint};\n",
                Owner = k.Owner,
                Tablespace = foreign ? null : k.Tablespace,
                Priority = foreign ? ObjectPriority.ForeignKey : ObjectPriority.Constraint,

                // pg_depend already ties a foreign key to the referenced key's index. When the referenced table is
                // partitioned, that key is complete only once every partition's index is attached: until then
                // ADD FOREIGN KEY fails with "there is no unique constraint matching given keys", so a parallel
                // restore must wait for those INDEX ATTACH entries too (pg_dump.c getConstraints/addConstrChildIdxDeps).
                DependsOn = [.. k.ReferencedPartitionIndexes.Select(CatalogClassIds.IndexAttach), .. ExtensionMarks.Dependencies(indexMarks)],
            };
        }
    }
}
