using System.Runtime.CompilerServices;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// RULE entries for every rewrite rule except a view's _RETURN rule (which is the view): pg_get_ruledef plus an
/// ALTER TABLE for a non-default firing state, as pg_dump.c's dumpRule writes them.
/// </summary>
internal sealed class RuleSource : ICatalogObjectSource
{
    private const string Query = """
        SELECT r.oid,
               n.nspname,
               c.relname,
               c.oid AS relid,
               r.rulename,
               pg_catalog.pg_get_ruledef(r.oid) AS ruledef,
               r.ev_enabled::pg_catalog.text AS ev_enabled,
               pg_catalog.pg_get_userbyid(c.relowner) AS owner
        FROM pg_catalog.pg_rewrite r
        JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE r.rulename <> '_RETURN'
          AND c.relnamespace = ANY ($1)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY n.nspname, c.relname, r.rulename
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = await CatalogQuery.ListAsync<(uint Oid, string Schema, string Table, uint TableOid, string Name, string Def, string Enabled, string? Owner)>(
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
                reader.NullableString(7)),
            cancellationToken).ConfigureAwait(false);

        var q = context.Quoting;
        foreach (var r in rows)
        {
            var table = q.Qualified(r.Schema, r.Table);
            var state = r.Enabled switch
            {
                "A" => "ENABLE ALWAYS RULE ",
                "R" => "ENABLE REPLICA RULE ",
                "D" => "DISABLE RULE ",
                _ => null,
            };
            var definition = r.Def + "\n" + (state is null ? "" : "ALTER TABLE " + table + " " + state + q.Ident(r.Name) + ";\n");
            yield return new CatalogObject
            {
                Id = new CatalogObjectId(CatalogClassIds.PgRewrite, r.Oid),
                Desc = "RULE",
                Tag = r.Table + " " + r.Name,
                SortTag = r.Name, // pg_dump_sort.c: by its own name, then by table
                Section = DumpSection.PostData,
                Namespace = r.Schema,
                Definition = definition,
                DropStatement = "DROP RULE " + q.Ident(r.Name) + " ON " + table + ";\n",
                Owner = r.Owner,
                DependsOn = [CatalogClassIds.Class(r.TableOid)],
                Priority = ObjectPriority.Rule,
            };
        }
    }
}
