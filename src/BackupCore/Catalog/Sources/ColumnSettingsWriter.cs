using System.Globalization;
using System.Text;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// The per-column ALTERs pg_dump.c's dumpTableSchema appends after CREATE for tables and materialized views alike:
/// statistics target, storage (where it differs from the type's), compression, and attribute options. Materialized
/// views use this; <see cref="TableDefinitionWriter"/> writes the same lines for tables.
/// </summary>
internal static class ColumnSettingsWriter
{
    /// <param name="relation">The qualified relation name.</param>
    /// <param name="statisticsTarget">attstattarget, -1 when unset.</param>
    /// <param name="compression">attcompression ('\0' or ' ' when unset, and before PostgreSQL 14).</param>
    /// <param name="options">attoptions as array_to_string(..., ', ') prints them, or null.</param>
    public static void Append(StringBuilder sb, SqlQuoting q, string relation, string column, int statisticsTarget, char storage, char typeStorage, char compression, string? options)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(q);
        var prefix = "ALTER TABLE ONLY " + relation + " ALTER COLUMN " + q.Ident(column);
        if (statisticsTarget >= 0)
        {
            sb.Append(prefix).Append(" SET STATISTICS ").Append(statisticsTarget.ToString(CultureInfo.InvariantCulture)).Append(";\n");
        }

        if (storage != typeStorage)
        {
            var name = storage switch
            {
                'p' => "PLAIN",
                'e' => "EXTERNAL",
                'm' => "MAIN",
                _ => "EXTENDED",
            };
            sb.Append(prefix).Append(" SET STORAGE ").Append(name).Append(";\n");
        }

        if (compression is 'p' or 'l')
        {
            sb.Append(prefix).Append(" SET COMPRESSION ").Append(compression == 'p' ? "pglz" : "lz4").Append(";\n");
        }

        if (!string.IsNullOrEmpty(options))
        {
            sb.Append(prefix).Append(" SET (").Append(options).Append(");\n");
        }
    }
}
