using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Indexes that do not back a constraint (pg_dump.c dumpIndex: pg_get_indexdef, which prints ON ONLY for a
/// partitioned table's index), and INDEX ATTACH entries linking a partition's index (or constraint index)
/// to its parent's (dumpIndexAttach). An attached child index has no drop: it is dropped with its parent's.
/// </summary>
internal sealed class IndexSource : ICatalogObjectSource
{
    /// <summary>
    /// SQL for "ALTER INDEX ... ALTER COLUMN n SET STATISTICS t" lines of index <c>i</c> (pg_dump.c getIndexes indstatcols/
    /// indstatvals: expression columns with a target; attstattarget is -1, or from PostgreSQL 17 NULL, when unset).
    /// </summary>
    internal const string StatisticsTargets = """
        ARRAY(SELECT a.attnum::pg_catalog.text || ' ' || a.attstattarget::pg_catalog.text FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0 ORDER BY a.attnum)
        """;

    private static readonly string Query = $"""
        SELECT i.indexrelid, ic.relname, n.nspname, pg_catalog.pg_get_indexdef(i.indexrelid), i.indisclustered, i.indisreplident,
               c.relname, pg_catalog.pg_get_userbyid(c.relowner),
               EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')),
               COALESCE(ih.inhparent, 0), pn.nspname, pc.relname,
               CASE WHEN ic.reltablespace = 0 THEN '' ELSE (SELECT t.spcname FROM pg_catalog.pg_tablespace t WHERE t.oid = ic.reltablespace) END,
               {StatisticsTargets},
               i.indrelid, COALESCE((SELECT pi.indrelid FROM pg_catalog.pg_index pi WHERE pi.indexrelid = ih.inhparent), 0)
          FROM pg_catalog.pg_index i
          JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
          JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
          LEFT JOIN pg_catalog.pg_inherits ih ON ih.inhrelid = i.indexrelid
          LEFT JOIN pg_catalog.pg_class pc ON pc.oid = ih.inhparent
          LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1) AND (i.indisvalid OR c.relkind = 'p')
           AND {CatalogQuery.NotExtensionMember("pg_class", "c.oid")}
         ORDER BY n.nspname, ic.relname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var q = context.Quoting;
        var rows = await CatalogQuery.ListAsync(
            context,
            Query,
            r => (Oid: r.GetFieldValue<uint>(0), Name: r.GetString(1), Schema: r.GetString(2), Def: r.GetString(3), Clustered: r.GetBoolean(4),
                ReplicaIdentity: r.GetBoolean(5), Table: r.GetString(6), Owner: r.GetString(7), ForConstraint: r.GetBoolean(8),
                Parent: r.GetFieldValue<uint>(9), ParentSchema: r.NullableString(10), ParentName: r.NullableString(11), Tablespace: r.GetString(12),
                StatisticsTargets: r.GetFieldValue<string[]>(13), TableOid: r.GetFieldValue<uint>(14), ParentTableOid: r.GetFieldValue<uint>(15)),
            cancellationToken).ConfigureAwait(false);
        var marks = await ExtensionMarks.ReadAsync(context, "pg_class", cancellationToken).ConfigureAwait(false);

        foreach (var i in rows)
        {
            var index = q.Qualified(i.Schema, i.Name);
            var id = CatalogClassIds.Class(i.Oid);
            if (!i.ForConstraint)
            {
                var table = q.Qualified(i.Schema, i.Table);
                var sb = new StringBuilder(i.Def).Append(";\n");
                if (i.Clustered)
                {
                    sb.Append($"\nALTER TABLE {table} CLUSTER ON {q.Ident(i.Name)};\n");
                }

                sb.Append(StatisticsClauses(index, i.StatisticsTargets));
                sb.Append(ExtensionMarks.Clauses(q, "INDEX", index, marks[i.Oid]));
                if (i.ReplicaIdentity)
                {
                    sb.Append($"\nALTER TABLE ONLY {table} REPLICA IDENTITY USING INDEX {q.Ident(i.Name)};\n");
                }

                yield return new CatalogObject
                {
                    Id = id,
                    Desc = "INDEX",
                    Tag = i.Name,
                    Namespace = i.Schema,
                    Section = DumpSection.PostData,
                    Definition = sb.ToString(),
                    DropStatement = i.Parent != 0 ? null : $"DROP INDEX {index};\n",
                    Owner = i.Owner,
                    Tablespace = i.Tablespace,
                    DependsOn = ExtensionMarks.Dependencies(marks[i.Oid]).ToList(),
                    Priority = ObjectPriority.Index,
                };
            }

            if (i.Parent != 0 && i.ParentName is not null)
            {
                yield return new CatalogObject
                {
                    AliasId = CatalogClassIds.IndexAttach(i.Oid),
                    Desc = "INDEX ATTACH",
                    Tag = i.Name,
                    Namespace = i.Schema,
                    Section = DumpSection.PostData,
                    Definition = $"ALTER INDEX {q.Qualified(i.ParentSchema, i.ParentName)} ATTACH PARTITION {index};\n",
                    Owner = i.Owner,
                    // Also on both indexes' tables, as pg_dump's getIndexes does: pg_restore -j keeps an item away from
                    // others that lock the same tables only through TABLE (or TABLE DATA) dependencies, and without them
                    // the ATTACH ran beside another post-data item of those tables and deadlocked (seen on 14).
                    DependsOn = [CatalogClassIds.Class(i.Parent), id, CatalogClassIds.Class(i.TableOid), CatalogClassIds.Class(i.ParentTableOid)],
                    Priority = ObjectPriority.IndexAttach,
                };
            }
        }
    }

    /// <summary>"ALTER INDEX s.i ALTER COLUMN n SET STATISTICS t;" for each "n t" pair of <see cref="StatisticsTargets"/> (pg_dump.c dumpIndex).</summary>
    internal static string StatisticsClauses(string index, IEnumerable<string> targets) =>
        string.Concat(targets.Select(t => t.Split(' ') is [var column, var target] ? $"ALTER INDEX {index} ALTER COLUMN {column} SET STATISTICS {target};\n" : ""));
}
