using System.Runtime.CompilerServices;
using System.Text;
using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Enum, composite and range types (pg_dump.c dumpEnumType, dumpCompositeType, dumpRangeType), desc "TYPE".
/// Array and multirange types are created with their element or range type, and row types with their table.
/// </summary>
internal sealed class TypeSource : ICatalogObjectSource
{
    private static readonly string TypesQuery = $"""
        SELECT t.oid, n.nspname, t.typname, t.typtype, pg_catalog.pg_get_userbyid(t.typowner)
          FROM pg_catalog.pg_type t
          JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
          LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
         WHERE t.typnamespace = ANY($1)
           AND (t.typtype IN ('e', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
           AND {CatalogQuery.NotExtensionMember("pg_type", "t.oid")}
         ORDER BY n.nspname, t.typname
        """;

    private const string EnumLabels = "SELECT e.enumtypid, e.enumlabel FROM pg_catalog.pg_enum e ORDER BY e.enumtypid, e.enumsortorder";

    private const string CompositeAttributes = """
        SELECT t.oid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), cn.nspname, co.collname
          FROM pg_catalog.pg_type t
          JOIN pg_catalog.pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
          JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
          LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation AND a.attcollation <> at.typcollation
          LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
         WHERE t.typnamespace = ANY($1) AND t.typtype = 'c'
         ORDER BY t.oid, a.attnum
        """;

    // Multiranges (pg_range.rngmultitypid) are PostgreSQL 14+; a 13 range type has none to name.
    private static string Ranges(CatalogContext context) => $"""
        SELECT r.rngtypid, pg_catalog.format_type(r.rngsubtype, NULL),
               {(context.AtLeast(PgVersion.V14) ? "mn.nspname, mt.typname" : "NULL::pg_catalog.name, NULL::pg_catalog.name")},
               CASE WHEN NOT oc.opcdefault THEN ocn.nspname END, oc.opcname,
               cn.nspname, co.collname,
               CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::text END,
               CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::text END
          FROM pg_catalog.pg_range r
          JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid
          JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
          {(context.AtLeast(PgVersion.V14) ? MultirangeJoin : "")}
          JOIN pg_catalog.pg_opclass oc ON oc.oid = r.rngsubopc
          JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace
          LEFT JOIN pg_catalog.pg_collation co ON co.oid = r.rngcollation AND r.rngcollation <> st.typcollation
          LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
         WHERE t.typnamespace = ANY($1)
        """;

    private const string MultirangeJoin = """
        LEFT JOIN pg_catalog.pg_type mt ON mt.oid = r.rngmultitypid
          LEFT JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace
        """;

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var q = context.Quoting;
        var types = await CatalogQuery.ListAsync(context, TypesQuery, r => (Oid: r.GetFieldValue<uint>(0), Schema: r.GetString(1), Name: r.GetString(2), Kind: r.GetChar(3), Owner: r.GetString(4)), cancellationToken).ConfigureAwait(false);
        if (types.Count == 0)
        {
            yield break;
        }

        var labels = (await CatalogQuery.ListAsync(context, EnumLabels, r => (Oid: r.GetFieldValue<uint>(0), Label: r.GetString(1)), cancellationToken).ConfigureAwait(false))
            .ToLookup(x => x.Oid, x => x.Label);
        var attributes = (await CatalogQuery.ListAsync(
                context,
                CompositeAttributes,
                r => (Oid: r.GetFieldValue<uint>(0), Name: r.GetString(1), Type: r.GetString(2), CollSchema: r.NullableString(3), Collation: r.NullableString(4)),
                cancellationToken).ConfigureAwait(false))
            .ToLookup(x => x.Oid);
        var ranges = (await CatalogQuery.ListAsync(
                context,
                Ranges(context),
                r => (Oid: r.GetFieldValue<uint>(0), Subtype: r.GetString(1), MultiSchema: r.NullableString(2), Multi: r.NullableString(3),
                    OpcSchema: r.NullableString(4), Opc: r.GetString(5), CollSchema: r.NullableString(6), Collation: r.NullableString(7),
                    Canonical: r.NullableString(8), Diff: r.NullableString(9)),
                cancellationToken).ConfigureAwait(false))
            .ToDictionary(x => x.Oid);

        foreach (var t in types)
        {
            var name = q.Qualified(t.Schema, t.Name);
            var sb = new StringBuilder();
            switch (t.Kind)
            {
                case 'e':
                    sb.Append("CREATE TYPE ").Append(name).Append(" AS ENUM (");
                    sb.Append(string.Join(",", labels[t.Oid].Select(l => "\n    " + SqlQuoting.Literal(l))));
                    sb.Append("\n);\n");
                    break;
                case 'c':
                    sb.Append("CREATE TYPE ").Append(name).Append(" AS (");
                    sb.Append(string.Join(",", attributes[t.Oid].Select(a =>
                        "\n\t" + q.Ident(a.Name) + " " + a.Type + (a.Collation is null ? "" : " COLLATE " + q.Qualified(a.CollSchema, a.Collation)))));
                    sb.Append("\n);\n");
                    break;
                default:
                    var r = ranges[t.Oid];
                    sb.Append("CREATE TYPE ").Append(name).Append(" AS RANGE (");
                    sb.Append("\n    subtype = ").Append(r.Subtype);
                    if (r.Multi is not null)
                    {
                        sb.Append(",\n    multirange_type_name = ").Append(q.Qualified(r.MultiSchema, r.Multi));
                    }

                    if (r.OpcSchema is not null)
                    {
                        sb.Append(",\n    subtype_opclass = ").Append(q.Qualified(r.OpcSchema, r.Opc));
                    }

                    if (r.Collation is not null)
                    {
                        sb.Append(",\n    collation = ").Append(q.Qualified(r.CollSchema, r.Collation));
                    }

                    if (r.Canonical is not null)
                    {
                        sb.Append(",\n    canonical = ").Append(r.Canonical);
                    }

                    if (r.Diff is not null)
                    {
                        sb.Append(",\n    subtype_diff = ").Append(r.Diff);
                    }

                    sb.Append("\n);\n");
                    break;
            }

            yield return new CatalogObject
            {
                Id = CatalogClassIds.Type(t.Oid),
                Desc = "TYPE",
                Tag = t.Name,
                Namespace = t.Schema,
                Section = DumpSection.PreData,
                Definition = sb.ToString(),
                DropStatement = $"DROP TYPE {name};\n",
                Owner = t.Owner,
                Priority = ObjectPriority.Type,
            };
        }
    }
}
