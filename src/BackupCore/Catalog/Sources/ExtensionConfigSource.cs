using System.Globalization;
using System.Runtime.CompilerServices;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Rows of extension configuration tables and values of configuration sequences (those an extension script marked with
/// pg_extension_config_dump, e.g. PostGIS's spatial_ref_sys or pg_cron's cron.job): CREATE EXTENSION makes the objects,
/// but rows a user added would be lost without these entries. As pg_dump.c processExtensionTables/dumpTableData do: a
/// TABLE DATA entry per table, copying only the rows the extension's condition selects
/// (<c>COPY (SELECT cols FROM t WHERE ...) TO STDOUT</c>), and a SEQUENCE SET per sequence; both wait for the extension.
/// </summary>
internal sealed class ExtensionConfigSource : ICatalogObjectSource
{
    private const string Query = """
        SELECT e.oid, c.oid, n.nspname, c.relname, c.relkind, COALESCE(cfg.cond, ''), pg_catalog.pg_get_userbyid(c.relowner),
               c.relkind <> 'S' OR pg_catalog.has_sequence_privilege(c.oid, 'SELECT')
          FROM pg_catalog.pg_extension e
          CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(e.extconfig), pg_catalog.unnest(e.extcondition)) AS cfg(reloid, cond)
          JOIN pg_catalog.pg_class c ON c.oid = cfg.reloid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relnamespace = ANY ($1) AND c.relkind IN ('r', 'S')
         ORDER BY n.nspname, c.relname
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = await CatalogQuery.ListAsync(
            context,
            Query,
            r => (Extension: r.GetFieldValue<uint>(0), Oid: r.GetFieldValue<uint>(1), Schema: r.GetString(2), Name: r.GetString(3), Kind: r.GetChar(4),
                Condition: r.GetString(5), Owner: r.GetString(6), Readable: r.GetBoolean(7)),
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            yield break;
        }

        var q = context.Quoting;
        var columns = rows.Any(r => r.Kind == 'r') ? await CopyColumnReader.ReadAsync(context, cancellationToken).ConfigureAwait(false) : null;
        foreach (var r in rows)
        {
            var name = q.Qualified(r.Schema, r.Name);
            var extension = new CatalogObjectId(CatalogClassIds.PgExtension, r.Extension);
            if (r.Kind == 'S')
            {
                if (!r.Readable)
                {
                    throw new BackupException(
                        $"sequence {name}: the backup role may not read it (no SELECT privilege)",
                        "GRANT SELECT on the sequence to the backup role");
                }

                var (last, called) = await ReadSequenceAsync(context, name, cancellationToken).ConfigureAwait(false);
                yield return new CatalogObject
                {
                    Desc = "SEQUENCE SET",
                    Tag = r.Name,
                    Namespace = r.Schema,
                    Section = DumpSection.Data,
                    Definition = $"SELECT pg_catalog.setval({SqlQuoting.Literal(name)}, {last.ToString(CultureInfo.InvariantCulture)}, {(called ? "true" : "false")});\n",
                    Owner = r.Owner,
                    DependsOn = [extension],
                    Priority = ObjectPriority.SequenceSet,
                };
                continue;
            }

            var cols = columns![r.Oid].ToList();
            if (cols.Count == 0)
            {
                continue; // no column, no row to keep
            }

            var list = string.Join(", ", cols.Select(c => q.Ident(c.Column.Name)));

            // pg_dump.c dumpTableData_copy: a filtered table is copied through a SELECT of its COPY columns.
            var copyTo = r.Condition.Length == 0
                ? $"COPY {name} ({list}) TO STDOUT"
                : $"COPY (SELECT {list} FROM {name} {r.Condition}) TO STDOUT";
            yield return new CatalogObject
            {
                Desc = "TABLE DATA",
                Tag = r.Name,
                Namespace = r.Schema,
                Section = DumpSection.Data,
                CopyStatement = $"COPY {name} ({list}) FROM stdin;\n",
                Owner = r.Owner,
                DependsOn = [extension],
                Priority = ObjectPriority.TableData,
                Data = new TableDataSource(r.Schema, r.Name, r.Oid, cols.Select(c => c.Column).ToList(), copyTo) { ExtensionConfiguration = true },
            };
        }
    }

    private static async Task<(long Last, bool Called)> ReadSequenceAsync(CatalogContext context, string name, CancellationToken cancellationToken)
    {
        var values = await CatalogQuery.ListAsync(context, $"SELECT last_value, is_called FROM {name}", r => (r.GetInt64(0), r.GetBoolean(1)), cancellationToken).ConfigureAwait(false);
        return values[0];
    }
}
