using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// AGGREGATE entries: <c>CREATE AGGREGATE s.agg(args) (\n    SFUNC = ..., ...\n);</c> with the options in the order and
/// with the defaults left out as pg_dump.c's dumpAgg writes them. Extension members are skipped.
/// </summary>
internal sealed class FunctionAggregateSource : ICatalogObjectSource
{
    // regproc/regtype output is schema-qualified when needed because the session's search_path is empty.
    private const string Query = """
        SELECT p.oid,
               n.nspname,
               p.proname,
               pg_catalog.pg_get_function_arguments(p.oid) AS funcargs,
               pg_catalog.pg_get_function_identity_arguments(p.oid) AS funciargs,
               ARRAY(SELECT pg_catalog.format_type(t.typ, NULL) FROM pg_catalog.unnest(p.proargtypes) WITH ORDINALITY AS t(typ, i) ORDER BY t.i) AS arg_types,
               a.aggkind::pg_catalog.text,
               a.aggtransfn::pg_catalog.regproc::pg_catalog.text,
               a.aggtranstype::pg_catalog.regtype::pg_catalog.text,
               a.aggtransspace,
               a.agginitval,
               a.aggfinalfn::pg_catalog.regproc::pg_catalog.text,
               a.aggfinalextra,
               a.aggfinalmodify::pg_catalog.text,
               a.aggcombinefn::pg_catalog.regproc::pg_catalog.text,
               a.aggserialfn::pg_catalog.regproc::pg_catalog.text,
               a.aggdeserialfn::pg_catalog.regproc::pg_catalog.text,
               a.aggmtransfn::pg_catalog.regproc::pg_catalog.text,
               a.aggminvtransfn::pg_catalog.regproc::pg_catalog.text,
               a.aggmtranstype::pg_catalog.regtype::pg_catalog.text,
               a.aggmtransspace,
               a.aggminitval,
               a.aggmfinalfn::pg_catalog.regproc::pg_catalog.text,
               a.aggmfinalextra,
               a.aggmfinalmodify::pg_catalog.text,
               (SELECT 'OPERATOR(' || pg_catalog.quote_ident(opn.nspname) || '.' || o.oprname || ')'
                  FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace
                 WHERE o.oid = a.aggsortop) AS sortop,
               p.proparallel::pg_catalog.text,
               pg_catalog.pg_get_userbyid(p.proowner) AS owner
        FROM pg_catalog.pg_aggregate a
        JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE p.pronamespace = ANY ($1)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                            AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
        ORDER BY n.nspname, p.proname, p.oid
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = new List<CatalogObject>();
        var q = context.Quoting;
        await using (var cmd = new NpgsqlCommand(Query, context.Connection))
        {
            cmd.Parameters.Add(context.SchemaOidsParameter());
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                string? Function(int i) => Text(i) is { } f && f != "-" ? f : null;

                var schema = reader.GetString(1);
                var name = reader.GetString(2);
                var kind = reader.GetString(6);
                var argTypes = reader.GetFieldValue<string[]>(5);

                // The final function may modify the state by default only for ordered-set aggregates (pg_aggregate.h).
                var defaultModify = kind == "n" ? "r" : "w";
                var details = new StringBuilder();
                details.Append("    SFUNC = ").Append(Text(7)).Append(",\n    STYPE = ").Append(Text(8));
                if (reader.GetInt32(9) != 0)
                {
                    details.Append(",\n    SSPACE = ").Append(reader.GetInt32(9));
                }

                if (Text(10) is { } initial)
                {
                    details.Append(",\n    INITCOND = ").Append(SqlQuoting.Literal(initial));
                }

                if (Function(11) is { } final)
                {
                    details.Append(",\n    FINALFUNC = ").Append(final);
                    if (reader.GetBoolean(12))
                    {
                        details.Append(",\n    FINALFUNC_EXTRA");
                    }

                    if (Text(13) != defaultModify)
                    {
                        details.Append(",\n    FINALFUNC_MODIFY = ").Append(ModifyKeyword(Text(13)));
                    }
                }

                AppendFunction(details, "COMBINEFUNC", Function(14));
                AppendFunction(details, "SERIALFUNC", Function(15));
                AppendFunction(details, "DESERIALFUNC", Function(16));
                if (Function(17) is { } movingTransition)
                {
                    details.Append(",\n    MSFUNC = ").Append(movingTransition)
                        .Append(",\n    MINVFUNC = ").Append(Text(18))
                        .Append(",\n    MSTYPE = ").Append(Text(19));
                }

                if (reader.GetInt32(20) != 0)
                {
                    details.Append(",\n    MSSPACE = ").Append(reader.GetInt32(20));
                }

                if (Text(21) is { } movingInitial)
                {
                    details.Append(",\n    MINITCOND = ").Append(SqlQuoting.Literal(movingInitial));
                }

                if (Function(22) is { } movingFinal)
                {
                    details.Append(",\n    MFINALFUNC = ").Append(movingFinal);
                    if (reader.GetBoolean(23))
                    {
                        details.Append(",\n    MFINALFUNC_EXTRA");
                    }

                    if (Text(24) != defaultModify)
                    {
                        details.Append(",\n    MFINALFUNC_MODIFY = ").Append(ModifyKeyword(Text(24)));
                    }
                }

                if (Text(25) is { } sortOperator)
                {
                    details.Append(",\n    SORTOP = ").Append(sortOperator);
                }

                if (kind == "h")
                {
                    details.Append(",\n    HYPOTHETICAL");
                }

                details.Append(Text(26) switch
                {
                    "s" => ",\n    PARALLEL = safe",
                    "r" => ",\n    PARALLEL = restricted",
                    _ => "",
                });

                // pg_dump's format_function_arguments: an aggregate without arguments is written agg(*).
                var arguments = reader.GetString(3) is { Length: > 0 } a ? a : "*";
                var identityArguments = reader.GetString(4) is { Length: > 0 } ia ? ia : "*";
                var qualified = q.Ident(schema) + "." + q.Ident(name);
                rows.Add(new CatalogObject
                {
                    Id = new CatalogObjectId(CatalogClassIds.PgProc, reader.GetFieldValue<uint>(0)),
                    Desc = "AGGREGATE",
                    Tag = name + "(" + (argTypes.Length == 0 ? "*" : string.Join(", ", argTypes)) + ")",
                    Section = DumpSection.PreData,
                    Namespace = schema,
                    Definition = "CREATE AGGREGATE " + qualified + "(" + arguments + ") (\n" + details + "\n);\n",
                    DropStatement = "DROP AGGREGATE " + qualified + "(" + identityArguments + ");\n",
                    Owner = Text(27),
                    Priority = ObjectPriority.Aggregate,
                });
            }
        }

        foreach (var row in rows)
        {
            yield return row;
        }
    }

    private static void AppendFunction(StringBuilder details, string option, string? function)
    {
        if (function is not null)
        {
            details.Append(",\n    ").Append(option).Append(" = ").Append(function);
        }
    }

    private static string ModifyKeyword(string? code) => code switch
    {
        "r" => "READ_ONLY",
        "s" => "SHAREABLE",
        "w" => "READ_WRITE",
        _ => throw new BackupException($"aggregate: unexpected finalfunc modify code '{code}'"),
    };
}
