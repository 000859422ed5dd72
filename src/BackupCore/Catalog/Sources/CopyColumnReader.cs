using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>A COPY column of one table.</summary>
internal sealed record CopyColumnRow(uint TableOid, CopyColumn Column);

/// <summary>
/// Describes the COPY columns of every dumped table (attnum order, without dropped and generated columns):
/// the value kind after looking through domains and arrays, varchar/char length (also through a domain),
/// NOT NULL (also through a domain), and whether the column takes part in a key — a primary key, a unique
/// constraint or unique index (plain, expression or partial: the columns come from pg_depend, which records
/// every column an index expression or predicate uses), or either side of a foreign key. Composite columns
/// get their attributes described the same way, nested composites included.
/// </summary>
internal static class CopyColumnReader
{
    // From cols(attrelid, attnum, typid, typmod): each column's type through domains and arrays down to its
    // base type (walk, base), and the extension (if any) that type belongs to.
    private const string BaseTypeCtes = """
        walk AS (
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
        )
        """;

    // Columns 3..: base type name, its schema, typmod, array, then oid, typtype and extension of the base type.
    private const string BaseTypeColumns = """
        bt.typname, bn.nspname, b.typmod, b.isarr, bt.oid, bt.typtype::pg_catalog.text,
        (SELECT e.extname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
          WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = bt.oid
            AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e')
        """;

    private const string Query = $$"""
        WITH RECURSIVE cols AS (
            SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS typename, a.attnotnull, a.atttypid, a.atttypmod
              FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
             WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ), {{BaseTypeCtes}}, keys AS (
            SELECT k.conrelid AS relid, pg_catalog.unnest(k.conkey) AS attnum FROM pg_catalog.pg_constraint k WHERE k.contype IN ('p', 'u', 'f')
            UNION SELECT k.confrelid, pg_catalog.unnest(k.confkey) FROM pg_catalog.pg_constraint k WHERE k.contype = 'f'
            UNION SELECT i.indrelid, pg_catalog.unnest(i.indkey::pg_catalog.int2[]) FROM pg_catalog.pg_index i WHERE i.indisunique
            UNION SELECT d.refobjid, d.refobjsubid
                    FROM pg_catalog.pg_index i
                    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = i.indexrelid
                         AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = i.indrelid AND d.refobjsubid > 0
                   WHERE i.indisunique
        )
        SELECT c.attrelid, c.attname, c.typename, {{BaseTypeColumns}},
               c.attnotnull OR b.domnotnull, EXISTS (SELECT FROM keys k WHERE k.relid = c.attrelid AND k.attnum = c.attnum)
          FROM cols c
          JOIN base b ON b.attrelid = c.attrelid AND b.attnum = c.attnum
          JOIN pg_catalog.pg_type bt ON bt.oid = b.typid
          JOIN pg_catalog.pg_namespace bn ON bn.oid = bt.typnamespace
         ORDER BY c.attrelid, c.attnum
        """;

    // The attributes of composite types $1, in the order record_out prints them (attnum, without dropped ones).
    private const string FieldsQuery = $$"""
        WITH RECURSIVE cols AS (
            SELECT t.oid AS attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS typename, a.atttypid, a.atttypmod
              FROM pg_catalog.pg_type t
              JOIN pg_catalog.pg_attribute a ON a.attrelid = t.typrelid
             WHERE t.oid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
        ), {{BaseTypeCtes}}
        SELECT c.attrelid, c.attname, c.typename, {{BaseTypeColumns}}
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
            r => (Table: r.GetFieldValue<uint>(0), Column: ReadColumn(r, r.GetBoolean(11), r.GetBoolean(10))),
            cancellationToken).ConfigureAwait(false);
        var fields = await ReadCompositeFieldsAsync(context, rows.Select(r => r.Column), cancellationToken).ConfigureAwait(false);
        return rows
            .Select(r => new CopyColumnRow(r.Table, WithFields(r.Column, fields, 0)))
            .ToLookup(x => x.TableOid);
    }

    /// <summary>A column as read, with the oid of its composite base type (0 when it is not composite).</summary>
    private sealed record ColumnShape(CopyColumn Shape, uint CompositeOid);

    private static ColumnShape ReadColumn(NpgsqlDataReader r, bool isKey, bool notNull)
    {
        var baseName = r.GetString(3);
        var builtin = r.GetString(4) == "pg_catalog";
        var typtype = r.GetString(8);
        var extension = r.NullableString(9);
        var kind = (baseName, typtype) switch
        {
            ("text" or "varchar" or "bpchar" or "name", _) when builtin => ColumnValueKind.Text,
            ("citext", _) when extension == "citext" => ColumnValueKind.Text,
            ("json" or "jsonb", _) when builtin => ColumnValueKind.Json,
            ("xml", _) when builtin => ColumnValueKind.Xml,
            ("tsvector", _) when builtin => ColumnValueKind.TsVector,
            ("bytea", _) when builtin => ColumnValueKind.Bytea,
            ("hstore", _) when extension == "hstore" => ColumnValueKind.Hstore,
            (_, "c") => ColumnValueKind.Composite,
            (_, "e") => ColumnValueKind.Enum,
            _ => ColumnValueKind.Other,
        };
        var typmod = r.GetInt32(5);
        int? maxLength = builtin && baseName is "varchar" or "bpchar" && typmod >= 4 ? typmod - 4 : null;
        var column = new CopyColumn(
            r.GetString(1), r.GetString(2), kind, r.GetBoolean(6), maxLength, isKey, notNull, CaseInsensitive: extension == "citext" && baseName == "citext");
        return new ColumnShape(column, kind == ColumnValueKind.Composite ? r.GetFieldValue<uint>(7) : 0);
    }

    /// <summary>The attributes of every composite type the columns use, nested ones included (one query per level).</summary>
    private static async Task<Dictionary<uint, List<ColumnShape>>> ReadCompositeFieldsAsync(
        CatalogContext context, IEnumerable<ColumnShape> columns, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<uint, List<ColumnShape>>();
        var pending = columns.Where(c => c.CompositeOid != 0).Select(c => c.CompositeOid).ToHashSet();
        for (var depth = 0; pending.Count > 0 && depth < 16; depth++)
        {
            await using var cmd = new NpgsqlCommand(FieldsQuery, context.Connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = pending.ToArray(), DataTypeName = "oid[]" });
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var owner = r.GetFieldValue<uint>(0);
                    if (!fields.TryGetValue(owner, out var list))
                    {
                        fields[owner] = list = [];
                    }

                    list.Add(ReadColumn(r, isKey: false, notNull: false));
                }
            }

            foreach (var oid in pending.Where(o => !fields.ContainsKey(o)))
            {
                fields[oid] = [];
            }

            pending = fields.Values.SelectMany(f => f).Select(f => f.CompositeOid).Where(o => o != 0 && !fields.ContainsKey(o)).ToHashSet();
        }

        return fields;
    }

    private static CopyColumn WithFields(ColumnShape column, Dictionary<uint, List<ColumnShape>> fields, int depth) =>
        column.CompositeOid == 0 || depth > 16 || !fields.TryGetValue(column.CompositeOid, out var list)
            ? column.Shape
            : column.Shape with { Fields = list.Select(f => WithFields(f, fields, depth + 1)).ToList() };
}
