using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// FUNCTION and PROCEDURE entries. The CREATE statement is assembled the way pg_dump.c's dumpFunc does
/// (not pg_get_functiondef, whose layout differs), from pg_proc plus the server's
/// pg_get_function_arguments/_result/_sqlbody, so the text matches pg_dump's byte for byte.
/// Functions that belong to an extension or are internal to another object (range constructors) are skipped,
/// as pg_dump's getFuncs does.
/// </summary>
internal sealed class FunctionSource : ICatalogObjectSource
{
    // GUCs flagged GUC_LIST_QUOTE in guc.c (pg_dump's variable_is_guc_list_quote): their proconfig value is a
    // list of already-quoted identifiers that must be split and emitted as separate literals.
    private static readonly HashSet<string> ListQuotedSettings = new(StringComparer.Ordinal)
    {
        "local_preload_libraries",
        "search_path",
        "session_preload_libraries",
        "shared_preload_libraries",
        "temp_tablespaces",
        "unix_socket_directories",
    };

    // pg_get_function_sqlbody (SQL-standard bodies, BEGIN ATOMIC / RETURN) is PostgreSQL 14+; older servers have no
    // such bodies (pg_dump.c getFuncs reads NULL there too).
    private static string Query(CatalogContext context) => $"""
        SELECT p.oid,
               n.nspname,
               p.proname,
               p.prokind::pg_catalog.text AS prokind,
               p.proretset,
               p.prosrc,
               p.probin,
               {(context.AtLeast(PgVersion.V14) ? "pg_catalog.pg_get_function_sqlbody(p.oid)" : "NULL::pg_catalog.text")} AS prosqlbody,
               pg_catalog.pg_get_function_arguments(p.oid) AS funcargs,
               pg_catalog.pg_get_function_identity_arguments(p.oid) AS funciargs,
               pg_catalog.pg_get_function_result(p.oid) AS funcresult,
               l.lanname,
               p.provolatile::pg_catalog.text AS provolatile,
               p.proisstrict,
               p.prosecdef,
               p.proleakproof,
               p.procost::pg_catalog.text AS procost,
               p.prorows::pg_catalog.text AS prorows,
               CASE WHEN p.prosupport = 0 THEN NULL ELSE p.prosupport::pg_catalog.regproc::pg_catalog.text END AS prosupport,
               p.proparallel::pg_catalog.text AS proparallel,
               p.proconfig,
               ARRAY(SELECT pg_catalog.format_type(t.typ, NULL) FROM pg_catalog.unnest(p.protrftypes) WITH ORDINALITY AS t(typ, i) ORDER BY t.i) AS transform_types,
               ARRAY(SELECT pg_catalog.format_type(t.typ, NULL) FROM pg_catalog.unnest(p.proargtypes) WITH ORDINALITY AS t(typ, i) ORDER BY t.i) AS arg_types,
               pg_catalog.pg_get_userbyid(p.proowner) AS owner
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        JOIN pg_catalog.pg_language l ON l.oid = p.prolang
        WHERE p.pronamespace = ANY ($1)
          AND p.prokind <> 'a'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                            AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
        ORDER BY n.nspname, p.proname, p.oid
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = new List<Row>();
        await using (var cmd = new NpgsqlCommand(Query(context), context.Connection))
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
                    reader.GetBoolean(4),
                    reader.IsDBNull(5) ? "" : reader.GetString(5),
                    reader.IsDBNull(6) ? "" : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.GetString(8),
                    reader.GetString(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10),
                    reader.GetString(11),
                    reader.GetString(12),
                    reader.GetBoolean(13),
                    reader.GetBoolean(14),
                    reader.GetBoolean(15),
                    reader.GetString(16),
                    reader.GetString(17),
                    reader.IsDBNull(18) ? null : reader.GetString(18),
                    reader.GetString(19),
                    reader.IsDBNull(20) ? [] : reader.GetFieldValue<string[]>(20),
                    reader.GetFieldValue<string[]>(21),
                    reader.GetFieldValue<string[]>(22),
                    reader.IsDBNull(23) ? null : reader.GetString(23)));
            }
        }

        var marks = await ExtensionMarks.ReadAsync(context, "pg_proc", cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            yield return ToObject(context.Quoting, row, marks[row.Oid].ToList());
        }
    }

    private static CatalogObject ToObject(SqlQuoting q, Row r, List<(uint Extension, string Name)> marks)
    {
        var keyword = r.Kind == "p" ? "PROCEDURE" : "FUNCTION";
        var qualifiedSignature = q.Ident(r.Schema) + "." + q.Ident(r.Name) + "(" + r.IdentityArguments + ")";

        var sql = new StringBuilder();
        sql.Append("CREATE ").Append(keyword).Append(' ')
            .Append(q.Ident(r.Schema)).Append('.').Append(q.Ident(r.Name))
            .Append('(').Append(r.Arguments).Append(')');
        if (r.Kind != "p" && r.Result is not null)
        {
            sql.Append(" RETURNS ").Append(r.Result);
        }

        sql.Append("\n    LANGUAGE ").Append(q.Ident(r.Language));
        if (r.TransformTypes.Length > 0)
        {
            sql.Append(" TRANSFORM ").Append(string.Join(", ", r.TransformTypes.Select(t => "FOR TYPE " + t)));
        }

        if (r.Kind == "w")
        {
            sql.Append(" WINDOW");
        }

        sql.Append(r.Volatility switch
        {
            "i" => " IMMUTABLE",
            "s" => " STABLE",
            _ => "",
        });
        if (r.Strict)
        {
            sql.Append(" STRICT");
        }

        if (r.SecurityDefiner)
        {
            sql.Append(" SECURITY DEFINER");
        }

        if (r.Leakproof)
        {
            sql.Append(" LEAKPROOF");
        }

        // pg_dump prints COST/ROWS only when they differ from CREATE FUNCTION's defaults (functioncmds.c):
        // cost 1 for C and internal functions, 100 otherwise; rows 1000 for set-returning functions.
        var defaultCost = r.Language is "internal" or "c" ? "1" : "100";
        if (r.Cost != "0" && r.Cost != defaultCost)
        {
            sql.Append(" COST ").Append(r.Cost);
        }

        if (r.ReturnsSet && r.Rows != "0" && r.Rows != "1000")
        {
            sql.Append(" ROWS ").Append(r.Rows);
        }

        if (r.Support is not null)
        {
            sql.Append(" SUPPORT ").Append(r.Support);
        }

        sql.Append(r.Parallel switch
        {
            "s" => " PARALLEL SAFE",
            "r" => " PARALLEL RESTRICTED",
            _ => "",
        });

        foreach (var item in r.Config)
        {
            AppendSetClause(sql, q, item);
        }

        sql.Append("\n    ").Append(BodyClause(r)).Append(";\n");
        sql.Append(ExtensionMarks.Clauses(q, keyword, qualifiedSignature, marks));

        var function = new CatalogObject
        {
            Id = new CatalogObjectId(CatalogClassIds.PgProc, r.Oid),
            Desc = keyword,
            Tag = r.Name + "(" + string.Join(", ", r.ArgTypes) + ")",
            Section = DumpSection.PreData,
            Namespace = r.Schema,
            Definition = sql.ToString(),
            DropStatement = "DROP " + keyword + " " + qualifiedSignature + ";\n",
            Owner = r.Owner,
            DependsOn = ExtensionMarks.Dependencies(marks).ToList(),
            Priority = ObjectPriority.Function,
        };

        // pg_dump_sort.c repairFunctionBoundaryMultiLoop: a SQL-standard body that needs a post-data object (it groups by
        // a primary key) moves the function to post-data.
        return function with { PostponedForm = () => [function with { Section = DumpSection.PostData }] };
    }

    /// <summary>The AS clause: a SQL-standard body as the server prints it, else the source dollar-quoted (C functions: 'obj', 'symbol').</summary>
    private static string BodyClause(Row r)
    {
        if (r.SqlBody is not null)
        {
            return r.SqlBody;
        }

        if (r.Binary.Length > 0)
        {
            var clause = "AS " + SqlQuoting.Literal(r.Binary);
            if (r.Source.Length > 0)
            {
                // pg_dump: with a bin part, dollar-quote the symbol only when it holds a quote or backslash.
                clause += ", " + (r.Source.Contains('\'', StringComparison.Ordinal) || r.Source.Contains('\\', StringComparison.Ordinal)
                    ? DollarQuote(r.Source)
                    : SqlQuoting.Literal(r.Source));
            }

            return clause;
        }

        return "AS " + DollarQuote(r.Source);
    }

    /// <summary>
    /// Dollar-quotes <paramref name="body"/> the way pg_dump's appendStringLiteralDQ picks its delimiter: start from
    /// "$", append characters from "_XXXXXXX" (cycling) while the body still contains the delimiter so far, then close with "$".
    /// </summary>
    internal static string DollarQuote(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        const string suffixes = "_XXXXXXX";
        var delimiter = new StringBuilder("$");
        var next = 0;
        while (body.Contains(delimiter.ToString(), StringComparison.Ordinal))
        {
            delimiter.Append(suffixes[next]);
            next = (next + 1) % suffixes.Length;
        }

        delimiter.Append('$');
        var d = delimiter.ToString();
        return d + body + d;
    }

    /// <summary>One proconfig item "name=value" as "\n    SET name TO 'value'" (list settings: one literal per element).</summary>
    private static void AppendSetClause(StringBuilder sql, SqlQuoting q, string item)
    {
        var eq = item.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            return;
        }

        var name = item[..eq];
        var value = item[(eq + 1)..];
        sql.Append("\n    SET ").Append(q.Ident(name)).Append(" TO ");
        if (ListQuotedSettings.Contains(name))
        {
            sql.Append(string.Join(", ", SplitSettingList(value).Select(SqlQuoting.Literal)));
        }
        else
        {
            sql.Append(SqlQuoting.Literal(value));
        }
    }

    /// <summary>
    /// Splits a GUC list value as stored in proconfig ("pg_catalog, \"my schema\"") into its elements:
    /// comma separated, surrounding blanks dropped, double quotes removed with "" meaning one quote.
    /// </summary>
    internal static IReadOnlyList<string> SplitSettingList(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var items = new List<string>();
        var i = 0;
        while (i <= value.Length)
        {
            while (i < value.Length && char.IsWhiteSpace(value[i]))
            {
                i++;
            }

            var sb = new StringBuilder();
            if (i < value.Length && value[i] == '"')
            {
                i++;
                while (i < value.Length)
                {
                    if (value[i] == '"')
                    {
                        if (i + 1 < value.Length && value[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    sb.Append(value[i++]);
                }

                while (i < value.Length && value[i] != ',')
                {
                    i++;
                }
            }
            else
            {
                var start = i;
                while (i < value.Length && value[i] != ',')
                {
                    i++;
                }

                sb.Append(value.AsSpan(start, i - start).TrimEnd());
            }

            items.Add(sb.ToString());
            if (i >= value.Length)
            {
                break;
            }

            i++; // the comma
        }

        return items.Count == 1 && items[0].Length == 0 && value.Trim().Length == 0 ? [] : items;
    }

    private sealed record Row(
        uint Oid,
        string Schema,
        string Name,
        string Kind,
        bool ReturnsSet,
        string Source,
        string Binary,
        string? SqlBody,
        string Arguments,
        string IdentityArguments,
        string? Result,
        string Language,
        string Volatility,
        bool Strict,
        bool SecurityDefiner,
        bool Leakproof,
        string Cost,
        string Rows,
        string? Support,
        string Parallel,
        string[] Config,
        string[] TransformTypes,
        string[] ArgTypes,
        string? Owner);
}
