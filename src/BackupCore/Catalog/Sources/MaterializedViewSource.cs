using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// MATERIALIZED VIEW entries (pre-data, always created <c>WITH NO DATA</c>) and, for populated ones that read no
/// unpopulated one, a
/// MATERIALIZED VIEW DATA entry <c>REFRESH MATERIALIZED VIEW s.mv;</c> in post-data, as pg_dump does
/// (dumpTableSchema, refreshMatViewData). A refresh depends on the refreshes of the materialized views it reads,
/// also through plain views (pg_dump.c buildMatViewRefreshDependencies). Indexes on materialized views are
/// INDEX entries from here (the table index source covers tables only), shaped as pg_dump.c's dumpIndex writes them.
/// </summary>
internal sealed class MaterializedViewSource : ICatalogObjectSource
{
    /// <summary>
    /// Class id used for MATERIALIZED VIEW DATA identities: pg_dump writes tableoid 0 and the matview's OID for them,
    /// and no pg_depend row can point at class 0, so (0, matview oid) never collides with a catalog object.
    /// </summary>
    public const uint RefreshClassId = 0;

    private const string Query = """
        SELECT c.oid,
               n.nspname,
               c.relname,
               pg_catalog.pg_get_viewdef(c.oid) AS viewdef,
               c.reloptions,
               tc.reloptions AS toast_reloptions,
               c.relispopulated,
               COALESCE(ts.spcname, '') AS tablespace,
               am.amname,
               pg_catalog.pg_get_userbyid(c.relowner) AS owner
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_class tc ON tc.oid = c.reltoastrelid
        LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = c.reltablespace
        LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
        WHERE c.relkind = 'm'
          AND c.relnamespace = ANY ($1)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY n.nspname, c.relname
        """;

    // Which views and materialized views each view or materialized view reads directly (any schema).
    private const string ReadsQuery = """
        SELECT DISTINCT r.ev_class, d.refobjid, rc.relkind::pg_catalog.text, rc.relispopulated
        FROM pg_catalog.pg_rewrite r
        JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
        JOIN pg_catalog.pg_class rc ON rc.oid = d.refobjid
        WHERE r.rulename = '_RETURN'
          AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
          AND d.refobjid <> r.ev_class
          AND rc.relkind IN ('v', 'm')
        """;

    private static readonly string IndexQuery = $"""
        SELECT i.indexrelid, ic.relname, n.nspname, pg_catalog.pg_get_indexdef(i.indexrelid), i.indisclustered,
               c.oid, c.relname, pg_catalog.pg_get_userbyid(c.relowner),
               CASE WHEN ic.reltablespace = 0 THEN '' ELSE (SELECT t.spcname FROM pg_catalog.pg_tablespace t WHERE t.oid = ic.reltablespace) END,
               {IndexSource.StatisticsTargets}
        FROM pg_catalog.pg_index i
        JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
        WHERE c.relkind = 'm' AND c.relnamespace = ANY ($1) AND i.indisvalid
          AND {CatalogQuery.NotExtensionMember("pg_class", "c.oid")}
        ORDER BY n.nspname, ic.relname
        """;

    /// <summary>Per-column settings (pg_dump.c dumpTableSchema writes them for materialized views as for tables).</summary>
    private static string ColumnsQuery(CatalogContext context) => $"""
        SELECT a.attrelid, a.attname, COALESCE(a.attstattarget::pg_catalog.int4, -1), a.attstorage, t.typstorage,
               pg_catalog.array_to_string(a.attoptions, ', '),
               {(context.AtLeast(PgVersion.V14) ? "a.attcompression" : "''::pg_catalog.\"char\"") /* version: attcompression is PostgreSQL 14+ */}
          FROM pg_catalog.pg_attribute a
          JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
          JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
         WHERE c.relkind = 'm' AND c.relnamespace = ANY ($1) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attrelid, a.attnum
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = new List<Row>();
        await using (var cmd = new NpgsqlCommand(Query, context.Connection))
        {
            cmd.Parameters.Add(context.SchemaOidsParameter());
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new Row(
                    reader.GetFieldValue<uint>(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.IsDBNull(4) ? [] : reader.GetFieldValue<string[]>(4),
                    reader.IsDBNull(5) ? [] : reader.GetFieldValue<string[]>(5),
                    reader.GetBoolean(6),
                    reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9)));
            }
        }

        if (rows.Count == 0)
        {
            yield break;
        }

        var dependencies = await ViewDefinition.ReadDependenciesAsync(context, 'm', cancellationToken).ConfigureAwait(false);
        var reads = await ReadRelationGraphAsync(context, cancellationToken).ConfigureAwait(false);
        // pg_dump buildMatViewRefreshDependencies: a materialized view that reads (through views and other
        // materialized views) one that is not populated is left empty too; its REFRESH would fail on restore with
        // "materialized view ... has not been populated".
        var populated = rows.Where(r => r.Populated && !ReadsUnpopulated(r.Oid, reads)).Select(r => r.Oid).ToHashSet();
        var q = context.Quoting;
        var marks = await ExtensionMarks.ReadAsync(context, "pg_class", cancellationToken).ConfigureAwait(false);
        var columns = (await CatalogQuery.ListAsync(
                context,
                ColumnsQuery(context),
                x => (MatView: x.GetFieldValue<uint>(0), Name: x.GetString(1), StatisticsTarget: x.GetInt32(2), Storage: x.GetChar(3), TypeStorage: x.GetChar(4),
                    Options: x.NullableString(5), Compression: x.GetChar(6)),
                cancellationToken).ConfigureAwait(false))
            .ToLookup(c => c.MatView);
        foreach (var r in rows)
        {
            var name = q.Qualified(r.Schema, r.Name);
            var definition = new StringBuilder("CREATE MATERIALIZED VIEW ").Append(name).Append(ViewDefinition.WithClause(q, r.Options, r.ToastOptions, "\n")).Append(" AS\n")
                .Append(ViewDefinition.AsClause(r.Def)).Append("\n  WITH NO DATA;\n")
                .Append(ExtensionMarks.Clauses(q, "MATERIALIZED VIEW", name, marks[r.Oid]));
            foreach (var c in columns[r.Oid])
            {
                ColumnSettingsWriter.Append(definition, q, name, c.Name, c.StatisticsTarget, c.Storage, c.TypeStorage, c.Compression, c.Options);
            }

            var matView = new CatalogObject
            {
                Id = CatalogClassIds.Class(r.Oid),
                Desc = "MATERIALIZED VIEW",
                Tag = r.Name,
                Section = DumpSection.PreData,
                Namespace = r.Schema,
                Definition = definition.ToString(),
                DropStatement = "DROP MATERIALIZED VIEW " + name + ";\n",
                Owner = r.Owner,
                Tablespace = r.Tablespace,
                TableAccessMethod = r.AccessMethod,
                DependsOn = [.. dependencies.TryGetValue(r.Oid, out var deps) ? deps : [], .. ExtensionMarks.Dependencies(marks[r.Oid])],
                Priority = ObjectPriority.Table,
            };

            // pg_dump_sort.c repairMatViewBoundaryMultiLoop: a query that needs a post-data object (it groups by a
            // primary key) moves the materialized view to post-data.
            yield return matView with { PostponedForm = () => [matView with { Section = DumpSection.PostData }] };
        }

        var indexes = await CatalogQuery.ListAsync(
            context,
            IndexQuery,
            x => (Oid: x.GetFieldValue<uint>(0), Name: x.GetString(1), Schema: x.GetString(2), Def: x.GetString(3), Clustered: x.GetBoolean(4),
                MatView: x.GetFieldValue<uint>(5), MatViewName: x.GetString(6), Owner: x.NullableString(7), Tablespace: x.GetString(8),
                StatisticsTargets: x.GetFieldValue<string[]>(9)),
            cancellationToken).ConfigureAwait(false);
        foreach (var i in indexes)
        {
            // pg_dump.c dumpIndex: CREATE INDEX, CLUSTER ON, column statistics targets, DEPENDS ON EXTENSION.
            var index = q.Qualified(i.Schema, i.Name);
            var definition = i.Def + ";\n"
                + (i.Clustered ? "\nALTER TABLE " + q.Qualified(i.Schema, i.MatViewName) + " CLUSTER ON " + q.Ident(i.Name) + ";\n" : "")
                + IndexSource.StatisticsClauses(index, i.StatisticsTargets)
                + ExtensionMarks.Clauses(q, "INDEX", index, marks[i.Oid]);
            yield return new CatalogObject
            {
                Id = CatalogClassIds.Class(i.Oid),
                Desc = "INDEX",
                Tag = i.Name,
                Section = DumpSection.PostData,
                Namespace = i.Schema,
                Definition = definition,
                DropStatement = "DROP INDEX " + index + ";\n",
                Owner = i.Owner,
                Tablespace = i.Tablespace,
                DependsOn = [CatalogClassIds.Class(i.MatView), .. ExtensionMarks.Dependencies(marks[i.Oid])],
                Priority = ObjectPriority.Index,
            };
        }

        foreach (var r in rows.Where(r => populated.Contains(r.Oid)))
        {
            var refreshDeps = new List<CatalogObjectId> { CatalogClassIds.Class(r.Oid) };
            refreshDeps.AddRange(MaterializedViewsRead(r.Oid, reads)
                .Where(populated.Contains)
                .Order()
                .Select(mv => new CatalogObjectId(RefreshClassId, mv)));
            yield return new CatalogObject
            {
                Id = new CatalogObjectId(RefreshClassId, r.Oid),
                Desc = "MATERIALIZED VIEW DATA",
                Tag = r.Name,
                Section = DumpSection.PostData,
                Namespace = r.Schema,
                Definition = "REFRESH MATERIALIZED VIEW " + q.Qualified(r.Schema, r.Name) + ";\n",
                Owner = r.Owner,
                DependsOn = refreshDeps,
                Priority = ObjectPriority.RefreshMaterializedView,
            };
        }
    }

    private static async Task<Dictionary<uint, List<(uint Oid, bool IsMatView, bool Populated)>>> ReadRelationGraphAsync(CatalogContext context, CancellationToken cancellationToken)
    {
        var graph = new Dictionary<uint, List<(uint, bool, bool)>>();
        await using var cmd = new NpgsqlCommand(ReadsQuery, context.Connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var from = reader.GetFieldValue<uint>(0);
            if (!graph.TryGetValue(from, out var list))
            {
                list = [];
                graph.Add(from, list);
            }

            list.Add((reader.GetFieldValue<uint>(1), reader.GetString(2) == "m", reader.GetBoolean(3)));
        }

        return graph;
    }

    /// <summary>The materialized views <paramref name="matView"/> reads, directly or through plain views.</summary>
    private static HashSet<uint> MaterializedViewsRead(uint matView, Dictionary<uint, List<(uint Oid, bool IsMatView, bool Populated)>> graph)
    {
        var found = new HashSet<uint>();
        var seen = new HashSet<uint> { matView };
        var pending = new Stack<uint>();
        pending.Push(matView);
        while (pending.Count > 0)
        {
            if (!graph.TryGetValue(pending.Pop(), out var edges))
            {
                continue;
            }

            foreach (var (oid, isMatView, _) in edges)
            {
                if (!seen.Add(oid))
                {
                    continue;
                }

                if (isMatView)
                {
                    found.Add(oid);
                }
                else
                {
                    pending.Push(oid);
                }
            }
        }

        return found;
    }

    /// <summary>Whether <paramref name="matView"/> reads, directly or through views and materialized views, one that is not populated.</summary>
    private static bool ReadsUnpopulated(uint matView, Dictionary<uint, List<(uint Oid, bool IsMatView, bool Populated)>> graph)
    {
        var seen = new HashSet<uint> { matView };
        var pending = new Stack<uint>();
        pending.Push(matView);
        while (pending.TryPop(out var current))
        {
            if (!graph.TryGetValue(current, out var edges))
            {
                continue;
            }

            foreach (var (oid, isMatView, isPopulated) in edges)
            {
                if (isMatView && !isPopulated)
                {
                    return true;
                }

                if (seen.Add(oid))
                {
                    pending.Push(oid);
                }
            }
        }

        return false;
    }

    private sealed record Row(
        uint Oid,
        string Schema,
        string Name,
        string Def,
        string[] Options,
        string[] ToastOptions,
        bool Populated,
        string Tablespace,
        string? AccessMethod,
        string? Owner);
}
