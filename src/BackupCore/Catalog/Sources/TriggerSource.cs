using System.Runtime.CompilerServices;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// TRIGGER entries: pg_get_triggerdef + ";", followed by an ALTER TABLE that restores a non-default firing state
/// (DISABLE, ENABLE REPLICA, ENABLE ALWAYS), as pg_dump.c's dumpTrigger writes them. Internal triggers (those behind
/// foreign keys) are skipped; a trigger cloned onto a partition is dumped only when its firing state differs from its
/// parent's, and then only as the ALTER TABLE (the clone itself comes with the partition), as pg_dump's getTriggers does.
/// </summary>
internal sealed class TriggerSource : ICatalogObjectSource
{
    private const string Query = """
        SELECT t.oid,
               n.nspname,
               c.relname,
               c.oid AS relid,
               c.relkind::pg_catalog.text AS relkind,
               t.tgname,
               pg_catalog.pg_get_triggerdef(t.oid, false) AS tgdef,
               t.tgenabled::pg_catalog.text AS tgenabled,
               t.tgparentid <> 0 AS is_partition_clone,
               t.tgfoid,
               pg_catalog.pg_get_userbyid(c.relowner) AS owner
        FROM pg_catalog.pg_trigger t
        JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_trigger parent ON parent.oid = t.tgparentid
        WHERE c.relnamespace = ANY ($1)
          AND ((NOT t.tgisinternal AND t.tgparentid = 0) OR t.tgenabled <> parent.tgenabled)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY n.nspname, c.relname, t.tgname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = await CatalogQuery.ListAsync<(uint Oid, string Schema, string Table, uint TableOid, string RelKind, string Name, string Def, string Enabled, bool IsClone, uint FunctionOid, string? Owner)>(
            context,
            Query,
            reader => (
                reader.GetFieldValue<uint>(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetFieldValue<uint>(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetString(7),
                reader.GetBoolean(8),
                reader.GetFieldValue<uint>(9),
                reader.NullableString(10)),
            cancellationToken).ConfigureAwait(false);

        var q = context.Quoting;
        var marks = await ExtensionMarks.ReadAsync(context, "pg_trigger", cancellationToken).ConfigureAwait(false);
        foreach (var r in rows)
        {
            var table = q.Qualified(r.Schema, r.Table);
            var alter = "\nALTER " + (r.RelKind == "f" ? "FOREIGN " : "") + "TABLE " + table + " "
                + r.Enabled switch
                {
                    "D" => "DISABLE",
                    "R" => "ENABLE REPLICA",
                    "A" => "ENABLE ALWAYS",
                    _ => "ENABLE",
                }
                + " TRIGGER " + q.Ident(r.Name) + ";\n";
            string definition;
            string drop;
            if (r.IsClone)
            {
                definition = alter;
                drop = "";
            }
            else
            {
                // pg_dump.c dumpTrigger: DEPENDS ON EXTENSION between CREATE TRIGGER and the firing state (a clone's
                // entry is only the ALTER TABLE, as there).
                definition = r.Def + ";\n" + ExtensionMarks.Clauses(q, "TRIGGER", q.Ident(r.Name) + " ON " + table, marks[r.Oid]) + (r.Enabled == "O" ? "" : alter);
                drop = "DROP TRIGGER " + q.Ident(r.Name) + " ON " + table + ";\n";
            }

            yield return new CatalogObject
            {
                Id = new CatalogObjectId(CatalogClassIds.PgTrigger, r.Oid),
                Desc = "TRIGGER",
                Tag = r.Table + " " + r.Name,
                SortTag = r.Name, // pg_dump_sort.c: by its own name, then by table
                Section = DumpSection.PostData,
                Namespace = r.Schema,
                Definition = definition,
                DropStatement = drop,
                Owner = r.Owner,
                DependsOn = [CatalogClassIds.Class(r.TableOid), new CatalogObjectId(CatalogClassIds.PgProc, r.FunctionOid), .. ExtensionMarks.Dependencies(marks[r.Oid])],
                Priority = ObjectPriority.Trigger,
            };
        }
    }
}
