using System.Runtime.CompilerServices;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// VIEW entries: <c>CREATE VIEW s.v [WITH (options)] AS</c> + pg_get_viewdef + <c>[WITH LOCAL|CASCADED CHECK OPTION]</c>,
/// as pg_dump.c's dumpTableSchema writes them. check_option lives in reloptions but is printed as the clause.
/// The view's dependencies are read through its _RETURN rule and listed explicitly.
/// </summary>
internal sealed class ViewSource : ICatalogObjectSource
{
    private const string Query = """
        SELECT c.oid,
               n.nspname,
               c.relname,
               pg_catalog.pg_get_viewdef(c.oid) AS viewdef,
               pg_catalog.array_remove(pg_catalog.array_remove(c.reloptions, 'check_option=local'), 'check_option=cascaded') AS reloptions,
               CASE WHEN 'check_option=local' = ANY (c.reloptions) THEN 'LOCAL'
                    WHEN 'check_option=cascaded' = ANY (c.reloptions) THEN 'CASCADED' END AS checkoption,
               pg_catalog.pg_get_userbyid(c.relowner) AS owner
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'v'
          AND c.relnamespace = ANY ($1)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY n.nspname, c.relname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = await CatalogQuery.ListAsync<(uint Oid, string Schema, string Name, string Def, string[] Options, string? Check, string? Owner)>(
            context,
            Query,
            reader => (
                reader.GetFieldValue<uint>(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? [] : reader.GetFieldValue<string[]>(4),
                reader.NullableString(5),
                reader.NullableString(6)),
            cancellationToken).ConfigureAwait(false);

        var dependencies = await ViewDefinition.ReadDependenciesAsync(context, 'v', cancellationToken).ConfigureAwait(false);
        var q = context.Quoting;
        foreach (var r in rows)
        {
            var name = q.Qualified(r.Schema, r.Name);
            var definition = "CREATE VIEW " + name + ViewDefinition.WithClause(q, r.Options, []) + " AS\n"
                + ViewDefinition.AsClause(r.Def)
                + (r.Check is null ? "" : "\n  WITH " + r.Check + " CHECK OPTION")
                + ";\n";
            yield return new CatalogObject
            {
                Id = CatalogClassIds.Class(r.Oid),
                Desc = "VIEW",
                Tag = r.Name,
                Section = DumpSection.PreData,
                Namespace = r.Schema,
                Definition = definition,
                DropStatement = "DROP VIEW " + name + ";\n",
                Owner = r.Owner,
                DependsOn = dependencies.TryGetValue(r.Oid, out var deps) ? deps : [],
                Priority = ObjectPriority.Table,
            };
        }
    }
}
