using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// POLICY entries: <c>CREATE POLICY p ON s.t [AS RESTRICTIVE] [FOR cmd] [TO roles] [USING (...)] [WITH CHECK (...)];</c>
/// built from pg_policy as pg_dump.c's dumpPolicy does (roles listed in pg_roles order, PUBLIC-only policies without TO).
/// </summary>
internal sealed class PolicySource : ICatalogObjectSource
{
    private const string Query = """
        SELECT pol.oid,
               n.nspname,
               c.relname,
               c.oid AS relid,
               pol.polname,
               pol.polcmd::pg_catalog.text AS polcmd,
               pol.polpermissive,
               CASE WHEN pol.polroles = '{0}' THEN NULL
                    ELSE pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(rolname) FROM pg_catalog.pg_roles
                                                          WHERE oid = ANY (pol.polroles)), ', ') END AS polroles,
               pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) AS polqual,
               pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) AS polwithcheck,
               pg_catalog.pg_get_userbyid(c.relowner) AS owner
        FROM pg_catalog.pg_policy pol
        JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relnamespace = ANY ($1)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY n.nspname, c.relname, pol.polname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = await CatalogQuery.ListAsync<(uint Oid, string Schema, string Table, uint TableOid, string Name, string Command, bool Permissive, string? Roles, string? Using, string? Check, string? Owner)>(
            context,
            Query,
            reader => (
                reader.GetFieldValue<uint>(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetFieldValue<uint>(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetBoolean(6),
                reader.NullableString(7),
                reader.NullableString(8),
                reader.NullableString(9),
                reader.NullableString(10)),
            cancellationToken).ConfigureAwait(false);

        var q = context.Quoting;
        foreach (var r in rows)
        {
            var table = q.Qualified(r.Schema, r.Table);
            var sql = new StringBuilder("CREATE POLICY ").Append(q.Ident(r.Name)).Append(" ON ").Append(table);
            if (!r.Permissive)
            {
                sql.Append(" AS RESTRICTIVE");
            }

            sql.Append(r.Command switch
            {
                "*" => "",
                "r" => " FOR SELECT",
                "a" => " FOR INSERT",
                "w" => " FOR UPDATE",
                "d" => " FOR DELETE",
                _ => throw new BackupException($"policy {r.Name} on table {table}: unexpected command type '{r.Command}'"),
            });
            if (r.Roles is not null)
            {
                sql.Append(" TO ").Append(r.Roles);
            }

            if (r.Using is not null)
            {
                sql.Append(" USING (").Append(r.Using).Append(')');
            }

            if (r.Check is not null)
            {
                sql.Append(" WITH CHECK (").Append(r.Check).Append(')');
            }

            sql.Append(";\n");
            yield return new CatalogObject
            {
                Id = new CatalogObjectId(CatalogClassIds.PgPolicy, r.Oid),
                Desc = "POLICY",
                Tag = r.Table + " " + r.Name,
                SortTag = r.Name, // pg_dump_sort.c: by its own name, then by table
                Section = DumpSection.PostData,
                Namespace = r.Schema,
                Definition = sql.ToString(),
                DropStatement = "DROP POLICY " + q.Ident(r.Name) + " ON " + table + ";\n",
                Owner = r.Owner,
                DependsOn = [CatalogClassIds.Class(r.TableOid)],
                Priority = ObjectPriority.Policy,
            };
        }
    }
}
