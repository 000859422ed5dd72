using System.Runtime.CompilerServices;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// VIEW entries: <c>CREATE VIEW s.v [WITH (options)] AS</c> + pg_get_viewdef + <c>[WITH LOCAL|CASCADED CHECK OPTION]</c>,
/// as pg_dump.c's dumpTableSchema writes them. check_option lives in reloptions but is printed as the clause.
/// The view's dependencies are read through its _RETURN rule and listed explicitly. Column defaults of views are
/// DEFAULT entries (pg_dump.c dumpAttrDef: always separate for views).
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
               pg_catalog.pg_get_userbyid(c.relowner) AS owner,
               (SELECT r.oid FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename = '_RETURN') AS rule
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'v'
          AND c.relnamespace = ANY ($1)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY n.nspname, c.relname
        """;

    // Column names and types for a dummy view (pg_dump.c createDummyViewAsClause): COLLATE only where it differs from the type's.
    private const string ColumnsQuery = """
        SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), cn.nspname, co.collname
          FROM pg_catalog.pg_attribute a
          JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
          JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
          LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
         WHERE c.relkind = 'v' AND c.relnamespace = ANY ($1) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attrelid, a.attnum
        """;

    // Column defaults of views (ALTER VIEW ... ALTER COLUMN ... SET DEFAULT), which pg_dump always writes as separate DEFAULT entries.
    private const string DefaultsQuery = """
        SELECT d.adrelid, d.oid, a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid)
          FROM pg_catalog.pg_attrdef d
          JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
          JOIN pg_catalog.pg_class c ON c.oid = d.adrelid
         WHERE c.relkind = 'v' AND c.relnamespace = ANY ($1)
         ORDER BY d.adrelid, a.attnum
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = await CatalogQuery.ListAsync<(uint Oid, string Schema, string Name, string Def, string[] Options, string? Check, string? Owner, uint Rule)>(
            context,
            Query,
            reader => (
                reader.GetFieldValue<uint>(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? [] : reader.GetFieldValue<string[]>(4),
                reader.NullableString(5),
                reader.NullableString(6),
                reader.GetFieldValue<uint>(7)),
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            yield break;
        }

        var dependencies = await ViewDefinition.ReadDependenciesAsync(context, 'v', cancellationToken).ConfigureAwait(false);
        var q = context.Quoting;
        var columns = (await CatalogQuery.ListAsync(
                context,
                ColumnsQuery,
                r => (View: r.GetFieldValue<uint>(0), Name: r.GetString(1), Type: r.GetString(2), CollationSchema: r.NullableString(3), Collation: r.NullableString(4)),
                cancellationToken).ConfigureAwait(false))
            .ToLookup(c => c.View);
        var defaults = (await CatalogQuery.ListAsync(
                context,
                DefaultsQuery,
                r => (View: r.GetFieldValue<uint>(0), Oid: r.GetFieldValue<uint>(1), Column: r.GetString(2), Expression: r.GetString(3)),
                cancellationToken).ConfigureAwait(false))
            .ToLookup(d => d.View);
        foreach (var r in rows)
        {
            var name = q.Qualified(r.Schema, r.Name);
            var withOptions = ViewDefinition.WithClause(q, r.Options, []);
            var asClause = " AS\n" + ViewDefinition.AsClause(r.Def) + (r.Check is null ? "" : "\n  WITH " + r.Check + " CHECK OPTION") + ";\n";

            // pg_dump.c createDummyViewAsClause: the view's columns as typed NULLs, with no dependencies on what the
            // real query reads.
            var dummy = " AS\nSELECT" + string.Join(",", columns[r.Oid].Select(c =>
                "\n    NULL::" + c.Type + (c.Collation is null ? "" : " COLLATE " + q.Qualified(c.CollationSchema, c.Collation)) + " AS " + q.Ident(c.Name))) + ";\n";
            var viewId = CatalogClassIds.Class(r.Oid);
            var view = new CatalogObject
            {
                Id = viewId,
                Desc = "VIEW",
                Tag = r.Name,
                Section = DumpSection.PreData,
                Namespace = r.Schema,
                Definition = "CREATE VIEW " + name + withOptions + asClause,
                DropStatement = "DROP VIEW " + name + ";\n",
                Owner = r.Owner,
                DependsOn = dependencies.TryGetValue(r.Oid, out var deps) ? deps : [],
                Priority = ObjectPriority.Table,
            };

            // pg_dump_sort.c repairViewRuleMultiLoop, pg_dump.c dumpRule: a view whose query needs a post-data object (it
            // groups by a primary key) is created as a dummy, and its query comes back in post-data as the _RETURN rule's
            // own entry, CREATE OR REPLACE VIEW. That entry is "dropped" by replacing the query with the dummy again,
            // which frees the key for its own drop.
            yield return view with
            {
                PostponedForm = () =>
                [
                    view with { Definition = "CREATE VIEW " + name + dummy, DependsOn = [] },
                    new CatalogObject
                    {
                        Id = new CatalogObjectId(CatalogClassIds.PgRewrite, r.Rule),
                        Desc = "RULE",
                        Tag = r.Name + " _RETURN",
                        SortTag = "_RETURN",
                        Section = DumpSection.PostData,
                        Namespace = r.Schema,
                        Definition = "CREATE OR REPLACE VIEW " + name + withOptions + asClause,
                        DropStatement = DummyWhereTheViewExists(name, dummy),
                        Owner = r.Owner,
                        DependsOn = [viewId, .. view.DependsOn],
                        Priority = ObjectPriority.Rule,
                    },
                ],
            };

            foreach (var d in defaults[r.Oid])
            {
                yield return new CatalogObject
                {
                    Id = new CatalogObjectId(CatalogClassIds.PgAttrdef, d.Oid),
                    Desc = "DEFAULT",
                    Tag = r.Name + " " + d.Column,
                    Namespace = r.Schema,
                    Section = DumpSection.PreData,
                    Definition = $"ALTER TABLE ONLY {name} ALTER COLUMN {q.Ident(d.Column)} SET DEFAULT {d.Expression};\n",
                    DropStatement = $"ALTER TABLE {name} ALTER COLUMN {q.Ident(d.Column)} DROP DEFAULT;\n",
                    Owner = r.Owner,
                    DependsOn = [viewId],
                    Priority = ObjectPriority.AttrDef,
                };
            }
        }
    }

    /// <summary>
    /// The _RETURN rule's drop: the dummy query, only where the view exists. pg_dump writes a bare CREATE OR REPLACE VIEW,
    /// which fails on an empty database (its schema and column types do not exist yet), so its own --clean output does
    /// not restore there. A drop that starts with a comment line is emitted unchanged by pg_restore --if-exists (as
    /// pg_dump's public schema entry is) and by the plain writer.
    /// </summary>
    private static string DummyWhereTheViewExists(string name, string dummy) =>
        "-- replace the view's query with the dummy where the view exists\nDO " + FunctionSource.DollarQuote(
            $"BEGIN IF pg_catalog.to_regclass({SqlQuoting.Literal(name)}) IS NOT NULL THEN CREATE OR REPLACE VIEW {name}{dummy.TrimEnd('\n')} END IF; END") + ";\n";
}
