using System.Text;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>What views and materialized views share: the AS clause, reloptions, and their dependencies.</summary>
internal static class ViewDefinition
{
    /// <summary>
    /// pg_get_viewdef's text without its trailing semicolon, so that WITH ... CHECK OPTION / WITH NO DATA can
    /// follow (pg_dump.c createViewAsClause).
    /// </summary>
    public static string AsClause(string viewDefinition)
    {
        ArgumentNullException.ThrowIfNull(viewDefinition);
        var end = viewDefinition.Length;
        while (end > 0 && viewDefinition[end - 1] == ';')
        {
            end--;
        }

        return viewDefinition[..end];
    }

    /// <summary>
    /// "{separator}WITH (name='value', toast.name='value')" for non-empty options, else "" (pg_dump's
    /// appendReloptionsArray: names as identifiers, values always as string literals). pg_dump puts a space before
    /// a view's WITH and a line break before a materialized view's (dumpTableSchema).
    /// </summary>
    public static string WithClause(SqlQuoting quoting, IReadOnlyList<string> options, IReadOnlyList<string> toastOptions, string separator = " ")
    {
        ArgumentNullException.ThrowIfNull(quoting);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(toastOptions);
        if (options.Count == 0 && toastOptions.Count == 0)
        {
            return "";
        }

        var sb = new StringBuilder(separator).Append("WITH (");
        var first = true;
        foreach (var (prefix, option) in options.Select(o => ("", o)).Concat(toastOptions.Select(o => ("toast.", o))))
        {
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? option : option[..eq];
            var value = eq < 0 ? "" : option[(eq + 1)..];
            if (!first)
            {
                sb.Append(", ");
            }

            first = false;
            sb.Append(prefix).Append(quoting.Ident(name)).Append('=').Append(SqlQuoting.Literal(value));
        }

        return sb.Append(')').ToString();
    }

    /// <summary>
    /// What each view or materialized view in scope reads, from pg_depend rows of its _RETURN rule (the view itself
    /// records no dependencies; pg_dump also looks through the rule). Keyed by the relation's OID.
    /// </summary>
    public static async Task<Dictionary<uint, List<CatalogObjectId>>> ReadDependenciesAsync(CatalogContext context, char relkind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        const string sql = """
            SELECT DISTINCT r.ev_class, d.refclassid, d.refobjid
            FROM pg_catalog.pg_rewrite r
            JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
            WHERE r.rulename = '_RETURN'
              AND c.relkind::pg_catalog.text = $2
              AND c.relnamespace = ANY ($1)
              AND d.deptype = 'n'
              AND NOT (d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = r.ev_class)
            ORDER BY 1, 2, 3
            """;
        var result = new Dictionary<uint, List<CatalogObjectId>>();
        await using var cmd = new NpgsqlCommand(sql, context.Connection);
        cmd.Parameters.Add(context.SchemaOidsParameter());
        cmd.Parameters.Add(new NpgsqlParameter { Value = relkind.ToString() });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var view = reader.GetFieldValue<uint>(0);
            if (!result.TryGetValue(view, out var list))
            {
                list = [];
                result.Add(view, list);
            }

            list.Add(new CatalogObjectId(reader.GetFieldValue<uint>(1), reader.GetFieldValue<uint>(2)));
        }

        return result;
    }
}
