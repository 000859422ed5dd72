using System.Globalization;
using System.Text;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Renders CREATE TABLE the way pg_dump.c dumpTableSchema does: one column per line (type, DEFAULT or
/// GENERATED, NOT NULL, COLLATE), inline CHECK constraints, then INHERITS / PARTITION BY / WITH, then the
/// per-column and table-level ALTERs pg_dump appends to the same entry. A NOT NULL of an inherited (unprinted)
/// column is <c>ALTER ... SET NOT NULL</c> before PostgreSQL 18 and a <c>NOT NULL column</c> item from 18, which
/// keeps the constraint's name and NO INHERIT.
/// </summary>
internal static class TableDefinitionWriter
{
    public static string Write(
        SqlQuoting q,
        TableRow table,
        IReadOnlyList<ColumnRow> columns,
        IReadOnlyList<CheckRow> checks,
        IReadOnlyList<string> inheritsFrom,
        Func<ColumnRow, bool> printColumn,
        Func<ColumnRow, bool> printDefault,
        Func<ColumnRow, ColumnNotNull?> notNull,
        PgVersion version)
    {
        var name = q.Qualified(table.Schema, table.Name);
        var sb = new StringBuilder("CREATE ");
        if (table.Persistence == 'u')
        {
            sb.Append("UNLOGGED ");
        }

        sb.Append("TABLE ").Append(name).Append(" (");
        var items = new List<string>();
        foreach (var c in columns)
        {
            if (!printColumn(c))
            {
                if (version >= PgVersion.V18 && notNull(c) is { } own)
                {
                    items.Add(NotNullClause(q, own).TrimStart() + " " + q.Ident(c.Name) + (own.NoInherit ? " NO INHERIT" : ""));
                }

                continue;
            }

            var item = new StringBuilder(q.Ident(c.Name)).Append(' ').Append(c.Type);
            if (c.Default is not null && printDefault(c))
            {
                // PostgreSQL 18: VIRTUAL is the default kind of generated column, and pg_dump 18 leaves the word out.
                item.Append(c.Generated switch
                {
                    's' => " GENERATED ALWAYS AS (" + c.Default + ") STORED",
                    'v' => " GENERATED ALWAYS AS (" + c.Default + ")",
                    _ => " DEFAULT " + c.Default,
                });
            }

            if (notNull(c) is { } nn)
            {
                item.Append(NotNullClause(q, nn)).Append(nn.NoInherit ? " NO INHERIT" : "");
            }

            if (c.Collation is not null)
            {
                item.Append(" COLLATE ").Append(q.Qualified(c.CollationSchema, c.Collation));
            }

            items.Add(item.ToString());
        }

        items.AddRange(checks.Select(c => "CONSTRAINT " + q.Ident(c.Name) + " " + c.Definition));
        sb.Append(string.Join(",", items.Select(i => "\n    " + i)));
        sb.Append("\n)");
        if (inheritsFrom.Count > 0)
        {
            sb.Append("\nINHERITS (").Append(string.Join(", ", inheritsFrom)).Append(')');
        }

        if (table.PartitionKey is not null)
        {
            sb.Append("\nPARTITION BY ").Append(table.PartitionKey);
        }

        if (!string.IsNullOrEmpty(table.Options))
        {
            sb.Append("\nWITH (").Append(table.Options).Append(')');
        }

        sb.Append(";\n");

        foreach (var c in columns)
        {
            var column = q.Ident(c.Name);
            if (!printColumn(c) && version < PgVersion.V18 && notNull(c) is not null)
            {
                sb.Append("ALTER TABLE ONLY ").Append(name).Append(" ALTER COLUMN ").Append(column).Append(" SET NOT NULL;\n");
            }

            if (c.StatisticsTarget >= 0)
            {
                sb.Append("ALTER TABLE ONLY ").Append(name).Append(" ALTER COLUMN ").Append(column)
                    .Append(" SET STATISTICS ").Append(c.StatisticsTarget.ToString(CultureInfo.InvariantCulture)).Append(";\n");
            }

            if (c.Storage != c.TypeStorage)
            {
                var storage = c.Storage switch
                {
                    'p' => "PLAIN",
                    'e' => "EXTERNAL",
                    'm' => "MAIN",
                    _ => "EXTENDED",
                };
                sb.Append("ALTER TABLE ONLY ").Append(name).Append(" ALTER COLUMN ").Append(column).Append(" SET STORAGE ").Append(storage).Append(";\n");
            }

            if (c.Compression is 'p' or 'l')
            {
                sb.Append("ALTER TABLE ONLY ").Append(name).Append(" ALTER COLUMN ").Append(column)
                    .Append(" SET COMPRESSION ").Append(c.Compression == 'p' ? "pglz" : "lz4").Append(";\n");
            }

            if (!string.IsNullOrEmpty(c.Options))
            {
                sb.Append("ALTER TABLE ONLY ").Append(name).Append(" ALTER COLUMN ").Append(column).Append(" SET (").Append(c.Options).Append(");\n");
            }
        }

        if (table.ReplicaIdentity is 'f' or 'n')
        {
            sb.Append("\nALTER TABLE ONLY ").Append(name).Append(" REPLICA IDENTITY ").Append(table.ReplicaIdentity == 'f' ? "FULL" : "NOTHING").Append(";\n");
        }

        // Row security itself (ENABLE) is its own "ROW SECURITY" entry; FORCE rides in the table's (dumpTableSchema).
        if (table.ForceRowSecurity)
        {
            sb.Append("\nALTER TABLE ONLY ").Append(name).Append(" FORCE ROW LEVEL SECURITY;\n");
        }

        return sb.ToString();
    }

    private static string NotNullClause(SqlQuoting q, ColumnNotNull notNull) =>
        notNull.Name.Length == 0 ? " NOT NULL" : " CONSTRAINT " + q.Ident(notNull.Name) + " NOT NULL";
}
