using BackupCore.Plan;

namespace BackupCore.Catalog.Sources;

/// <summary>A COPY column of one table.</summary>
internal sealed record CopyColumnRow(uint TableOid, CopyColumn Column);

/// <summary>
/// Describes the COPY columns of every dumped table (attnum order, without dropped and generated columns):
/// the value kind after looking through domains and arrays, varchar/char length (also through a domain),
/// NOT NULL (also through a domain), and whether the column takes part in a key — a primary key, a unique
/// constraint or unique index (plain, expression or partial: the columns come from pg_depend, which records
/// every column an index expression or predicate uses), or either side of a foreign key.
/// </summary>
internal static class CopyColumnReader
{
    private const string Query = """
        WITH RECURSIVE cols AS (
            SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS typename, a.attnotnull, a.atttypid, a.atttypmod
              FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
             WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ), walk AS (
            SELECT attrelid, attnum, atttypid AS typid, atttypmod AS typmod, false AS isarr, false AS domnotnull, 0 AS depth FROM cols
            UNION ALL
            SELECT w.attrelid, w.attnum,
                   CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END,
                   CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE w.typmod END,
                   w.isarr OR t.typtype <> 'd',
                   w.domnotnull OR (t.typtype = 'd' AND t.typnotnull AND NOT w.isarr),
                   w.depth + 1
              FROM walk w JOIN pg_catalog.pg_type t ON t.oid = w.typid
             WHERE w.depth < 16 AND (t.typtype = 'd' OR (t.typcategory = 'A' AND t.typelem <> 0 AND t.typlen = -1))
        ), base AS (
            SELECT DISTINCT ON (w.attrelid, w.attnum) w.attrelid, w.attnum, w.typid, w.typmod, w.isarr, w.domnotnull
              FROM walk w ORDER BY w.attrelid, w.attnum, w.depth DESC
        ), keys AS (
            SELECT k.conrelid AS relid, pg_catalog.unnest(k.conkey) AS attnum FROM pg_catalog.pg_constraint k WHERE k.contype IN ('p', 'u', 'f')
            UNION SELECT k.confrelid, pg_catalog.unnest(k.confkey) FROM pg_catalog.pg_constraint k WHERE k.contype = 'f'
            UNION SELECT i.indrelid, pg_catalog.unnest(i.indkey::pg_catalog.int2[]) FROM pg_catalog.pg_index i WHERE i.indisunique
            UNION SELECT d.refobjid, d.refobjsubid
                    FROM pg_catalog.pg_index i
                    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = i.indexrelid
                         AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = i.indrelid AND d.refobjsubid > 0
                   WHERE i.indisunique
        )
        SELECT c.attrelid, c.attname, c.typename, bt.typname, bn.nspname, b.typmod, b.isarr, c.attnotnull OR b.domnotnull,
               EXISTS (SELECT FROM keys k WHERE k.relid = c.attrelid AND k.attnum = c.attnum)
          FROM cols c
          JOIN base b ON b.attrelid = c.attrelid AND b.attnum = c.attnum
          JOIN pg_catalog.pg_type bt ON bt.oid = b.typid
          JOIN pg_catalog.pg_namespace bn ON bn.oid = bt.typnamespace
         ORDER BY c.attrelid, c.attnum
        """;

    public static async Task<ILookup<uint, CopyColumnRow>> ReadAsync(CatalogContext context, CancellationToken cancellationToken)
    {
        var rows = await CatalogQuery.ListAsync(
            context,
            Query,
            r =>
            {
                var baseName = r.GetString(3);
                var builtin = r.GetString(4) == "pg_catalog";
                var kind = baseName switch
                {
                    "text" or "varchar" or "bpchar" or "name" when builtin => ColumnValueKind.Text,
                    "citext" => ColumnValueKind.Text,
                    "json" or "jsonb" when builtin => ColumnValueKind.Json,
                    "xml" when builtin => ColumnValueKind.Xml,
                    _ => ColumnValueKind.Other,
                };
                var typmod = r.GetInt32(5);
                int? maxLength = builtin && baseName is "varchar" or "bpchar" && typmod >= 4 ? typmod - 4 : null;
                return new CopyColumnRow(
                    r.GetFieldValue<uint>(0),
                    new CopyColumn(r.GetString(1), r.GetString(2), kind, r.GetBoolean(6), maxLength, r.GetBoolean(8), r.GetBoolean(7)));
            },
            cancellationToken).ConfigureAwait(false);
        return rows.ToLookup(x => x.TableOid);
    }
}
