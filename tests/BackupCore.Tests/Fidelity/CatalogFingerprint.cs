using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.Fidelity;

/// <summary>
/// Every row of the system catalogs that describes a user object, as one text line per row, so two databases can be
/// compared without knowing which options a dump writes: a future option a source drops shows up as a differing line
/// even when no test names it. A row is keyed by <c>pg_identify_object</c> (names, never oids), and holds all of its
/// columns (<c>to_jsonb</c>) except those that cannot survive a dump and restore: oids and oid vectors (the objects
/// they point to are in pg_depend, keyed by name, and in the deparsed definitions added to each row), node trees
/// (deparsed instead), attribute numbers (dropped columns shift them), owners and ACLs (dumps are --no-owner
/// --no-acl), and statistics and flags the server maintains lazily. Row data, sequence values and large objects
/// are in <see cref="DataAsync"/>.
/// </summary>
internal static class CatalogFingerprint
{
    // Types whose values name other rows by oid or hold node trees, vectors of attribute numbers or ACLs.
    private const string NonPortableTypes = """
        'oid'::pg_catalog.regtype, 'oid[]'::pg_catalog.regtype, 'oidvector'::pg_catalog.regtype, 'regproc'::pg_catalog.regtype,
        'pg_node_tree'::pg_catalog.regtype, 'xid'::pg_catalog.regtype, 'int2vector'::pg_catalog.regtype, 'int2[]'::pg_catalog.regtype,
        'aclitem[]'::pg_catalog.regtype
        """;

    // User objects: created after initdb, outside pg_toast. Internal triggers carry oids in their names.
    private const string UserObject = """
        ((o.objid >= 16384 OR o.classid = 'pg_catalog.pg_largeobject'::pg_catalog.regclass) AND COALESCE((o.ident).schema, '') NOT IN ('pg_toast', 'pg_catalog', 'information_schema')
         AND NOT (o.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND (SELECT t.tgisinternal FROM pg_catalog.pg_trigger t WHERE t.oid = o.objid)))
        """;

    private sealed record CatalogRows(string Catalog, string ClassId, string ObjectId, string SubId, string Extra, string[] Volatile)
    {
        /// <summary>SQL (over the row as jsonb, "{0}") dropping keys that carry no meaning for this row.</summary>
        public string Normalize { get; init; } = "{0}";

        /// <summary>The first major that has this catalog.</summary>
        public int SinceMajor { get; init; } = 13;
    }

    /// <summary>The catalogs compared on a server of <paramref name="major"/>, with what that major can deparse.</summary>
    private static IEnumerable<CatalogRows> Catalogs(int major) => new CatalogRows[]
    {
        new("pg_namespace", "'pg_catalog.pg_namespace'::pg_catalog.regclass", "x.oid", "0", "NULL", []),
        new("pg_class", "'pg_catalog.pg_class'::pg_catalog.regclass", "x.oid", "0",
            """
            pg_catalog.jsonb_build_object(
                'am', (SELECT a.amname FROM pg_catalog.pg_am a WHERE a.oid = x.relam),
                'tablespace', (SELECT t.spcname FROM pg_catalog.pg_tablespace t WHERE t.oid = x.reltablespace),
                'view', CASE WHEN x.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(x.oid) END,
                'partbound', pg_catalog.pg_get_expr(x.relpartbound, x.oid),
                'partkey', CASE WHEN x.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(x.oid) END,
                'toastoptions', (SELECT t.reloptions FROM pg_catalog.pg_class t WHERE t.oid = x.reltoastrelid),
                'columns', (SELECT pg_catalog.string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
                             WHERE a.attrelid = x.oid AND a.attnum > 0 AND NOT a.attisdropped))
            """,
            ["relpages", "reltuples", "relallvisible", "relallfrozen", "relnatts", "relhasindex", "relhasrules", "relhastriggers", "relhassubclass"]),
        new("pg_attribute", "'pg_catalog.pg_class'::pg_catalog.regclass", "x.attrelid", "x.attnum",
            """
            pg_catalog.jsonb_build_object(
                'type', pg_catalog.format_type(x.atttypid, x.atttypmod),
                'collation', (SELECT c.collname FROM pg_catalog.pg_collation c WHERE c.oid = x.attcollation))
            """,
            ["attnum", "attcacheoff", "atthasmissing", "attmissingval", "attndims"]),
        new("pg_attrdef", "'pg_catalog.pg_attrdef'::pg_catalog.regclass", "x.oid", "0", "pg_catalog.to_jsonb(pg_catalog.pg_get_expr(x.adbin, x.adrelid))", ["adnum"]),
        // connoinherit means something for CHECK constraints only; a partition's key constraint has it true when the
        // partition was attached and false when it was created PARTITION OF (a dump always attaches).
        new("pg_constraint", "'pg_catalog.pg_constraint'::pg_catalog.regclass", "x.oid", "0", "pg_catalog.to_jsonb(pg_catalog.pg_get_constraintdef(x.oid))", [])
        {
            Normalize = "CASE WHEN x.contype = 'c' THEN {0} ELSE {0} - 'connoinherit' END",
        },
        new("pg_index", "'pg_catalog.pg_class'::pg_catalog.regclass", "x.indexrelid", "0", "pg_catalog.to_jsonb(pg_catalog.pg_get_indexdef(x.indexrelid))", ["indcheckxmin"]),
        new("pg_inherits", "'pg_catalog.pg_class'::pg_catalog.regclass", "x.inhrelid", "0", "pg_catalog.to_jsonb(x.inhparent::pg_catalog.regclass::pg_catalog.text)", []),
        new("pg_type", "'pg_catalog.pg_type'::pg_catalog.regclass", "x.oid", "0", "pg_catalog.to_jsonb(pg_catalog.format_type(x.typbasetype, x.typtypmod))", []),
        new("pg_enum", "'pg_catalog.pg_type'::pg_catalog.regclass", "x.enumtypid", "0",
            "pg_catalog.to_jsonb((SELECT pg_catalog.count(*) FROM pg_catalog.pg_enum e WHERE e.enumtypid = x.enumtypid AND e.enumsortorder < x.enumsortorder))", ["enumsortorder"]),
        new("pg_range", "'pg_catalog.pg_type'::pg_catalog.regclass", "x.rngtypid", "0",
            "pg_catalog.to_jsonb(ARRAY[x.rngsubtype::pg_catalog.regtype::pg_catalog.text, x.rngcanonical::pg_catalog.text, x.rngsubdiff::pg_catalog.text])", []),
        new("pg_proc", "'pg_catalog.pg_proc'::pg_catalog.regclass", "x.oid", "0",
            $"""
            pg_catalog.jsonb_build_object(
                'arguments', pg_catalog.pg_get_function_arguments(x.oid), 'result', pg_catalog.pg_get_function_result(x.oid),
                'body', {(major >= 14 ? "pg_catalog.pg_get_function_sqlbody(x.oid)" : "NULL")}, 'support', x.prosupport::pg_catalog.regproc::pg_catalog.text,
                'language', (SELECT l.lanname FROM pg_catalog.pg_language l WHERE l.oid = x.prolang))
            """,
            []),
        new("pg_aggregate", "'pg_catalog.pg_proc'::pg_catalog.regclass", "x.aggfnoid", "0",
            "pg_catalog.to_jsonb(ARRAY[x.aggtransfn::pg_catalog.text, x.aggfinalfn::pg_catalog.text, x.aggcombinefn::pg_catalog.text, x.aggmtransfn::pg_catalog.text])", []),
        new("pg_trigger", "'pg_catalog.pg_trigger'::pg_catalog.regclass", "x.oid", "0", "pg_catalog.to_jsonb(pg_catalog.pg_get_triggerdef(x.oid))", []),
        new("pg_rewrite", "'pg_catalog.pg_rewrite'::pg_catalog.regclass", "x.oid", "0", "pg_catalog.to_jsonb(pg_catalog.pg_get_ruledef(x.oid))", []),
        new("pg_policy", "'pg_catalog.pg_policy'::pg_catalog.regclass", "x.oid", "0",
            """
            pg_catalog.jsonb_build_object(
                'roles', x.polroles::pg_catalog.regrole[]::pg_catalog.text, 'using', pg_catalog.pg_get_expr(x.polqual, x.polrelid),
                'check', pg_catalog.pg_get_expr(x.polwithcheck, x.polrelid))
            """,
            []),
        new("pg_statistic_ext", "'pg_catalog.pg_statistic_ext'::pg_catalog.regclass", "x.oid", "0", "pg_catalog.to_jsonb(pg_catalog.pg_get_statisticsobjdef(x.oid))", []),
        new("pg_sequence", "'pg_catalog.pg_class'::pg_catalog.regclass", "x.seqrelid", "0", "NULL", []),
        new("pg_partitioned_table", "'pg_catalog.pg_class'::pg_catalog.regclass", "x.partrelid", "0", "NULL", []),
        new("pg_extension", "'pg_catalog.pg_extension'::pg_catalog.regclass", "x.oid", "0",
            "pg_catalog.to_jsonb((SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = x.extnamespace))", []),
        new("pg_publication", "'pg_catalog.pg_publication'::pg_catalog.regclass", "x.oid", "0", "NULL", []),
        // Row filters and column lists are PostgreSQL 15+.
        new("pg_publication_rel", "'pg_catalog.pg_publication_rel'::pg_catalog.regclass", "x.oid", "0",
            major >= 15
                ? "pg_catalog.jsonb_build_object('where', pg_catalog.pg_get_expr(x.prqual, x.prrelid), 'columns', (SELECT pg_catalog.array_agg(a.attname ORDER BY a.attname) FROM pg_catalog.pg_attribute a WHERE a.attrelid = x.prrelid AND a.attnum = ANY (x.prattrs)))"
                : "NULL",
            []),
        new("pg_publication_namespace", "'pg_catalog.pg_publication_namespace'::pg_catalog.regclass", "x.oid", "0", "NULL", []) { SinceMajor = 15 },
        new("pg_largeobject_metadata", "'pg_catalog.pg_largeobject'::pg_catalog.regclass", "x.oid", "0", "NULL", []),
    }.Where(c => major >= c.SinceMajor);

    /// <summary>
    /// How many distinct values each compared column ("pg_class.relkind") takes over the user objects of
    /// <paramref name="database"/>: a column with one value is an option the database does not exercise.
    /// </summary>
    public static async Task<Dictionary<string, int>> ColumnVariationAsync(PostgresServer server, string database)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString(database));
        await conn.OpenAsync();
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in Catalogs(server.Major))
        {
            var columns = await ComparedColumnsAsync(conn, c);
            await using var query = new NpgsqlCommand(
                $"""
                SELECT a.attname, (SELECT pg_catalog.count(DISTINCT COALESCE(pg_catalog.to_jsonb(x) -> a.attname::pg_catalog.text, 'null'::pg_catalog.jsonb))
                                     FROM pg_catalog.{c.Catalog} x
                                     CROSS JOIN LATERAL (SELECT {c.ClassId} AS classid, {c.ObjectId} AS objid,
                                                                pg_catalog.pg_identify_object({c.ClassId}, {c.ObjectId}, {c.SubId}) AS ident) o
                                    WHERE {UserObject})
                  FROM pg_catalog.unnest($1::pg_catalog.text[]) AS a(attname)
                """,
                conn);
            query.Parameters.Add(new NpgsqlParameter { Value = columns.ToArray(), DataTypeName = "text[]" });
            await using var rows = await query.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                result[c.Catalog + "." + rows.GetString(0)] = (int)rows.GetInt64(1);
            }
        }

        return result;
    }

    private static async Task<List<string>> ExcludedColumnsAsync(NpgsqlConnection conn, CatalogRows c)
    {
        var excluded = new List<string>(c.Volatile);
        await using var cmd = new NpgsqlCommand(
            $"SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'pg_catalog.{c.Catalog}'::pg_catalog.regclass AND a.attnum > 0 AND a.atttypid IN ({NonPortableTypes})",
            conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            excluded.Add(reader.GetString(0));
        }

        return excluded;
    }

    private static async Task<List<string>> ComparedColumnsAsync(NpgsqlConnection conn, CatalogRows c)
    {
        var excluded = await ExcludedColumnsAsync(conn, c);
        var columns = new List<string>();
        await using var cmd = new NpgsqlCommand(
            $"SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'pg_catalog.{c.Catalog}'::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!excluded.Contains(reader.GetString(0)))
            {
                columns.Add(reader.GetString(0));
            }
        }

        return columns;
    }

    /// <summary>The catalog lines of <paramref name="database"/>, sorted.</summary>
    public static async Task<List<string>> CatalogAsync(PostgresServer server, string database)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString(database));
        await conn.OpenAsync();
        var lines = new List<string>();
        foreach (var c in Catalogs(server.Major))
        {
            var excluded = await ExcludedColumnsAsync(conn, c);

            var sql = $"""
                SELECT '{c.Catalog} | ' || (o.ident).type || ' ' || COALESCE((o.ident).identity, '?') || ' | '
                       || ({string.Format(System.Globalization.CultureInfo.InvariantCulture, c.Normalize, "(pg_catalog.to_jsonb(x) - $1::pg_catalog.text[])")})::pg_catalog.text || ' | ' || COALESCE(o.extra::pg_catalog.text, '')
                  FROM pg_catalog.{c.Catalog} x
                  CROSS JOIN LATERAL (SELECT {c.ClassId} AS classid, {c.ObjectId} AS objid,
                                             pg_catalog.pg_identify_object({c.ClassId}, {c.ObjectId}, {c.SubId}) AS ident,
                                             {c.Extra} AS extra) o
                 WHERE {UserObject}
                """;
            await using var query = new NpgsqlCommand(sql, conn);
            query.Parameters.Add(new NpgsqlParameter { Value = excluded.ToArray(), DataTypeName = "text[]" });
            await using var rows = await query.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                lines.Add(rows.GetString(0));
            }
        }

        // Dependencies between user objects, both ends by name (deptype: normal, auto, internal, extension, DEPENDS ON EXTENSION).
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT 'pg_depend | ' || (o.ident).type || ' ' || COALESCE((o.ident).identity, '?') || ' -> ' || (r.ident).type || ' ' || COALESCE((r.ident).identity, '?') || ' | ' || d.deptype::pg_catalog.text
              FROM pg_catalog.pg_depend d
              CROSS JOIN LATERAL (SELECT d.classid, d.objid, pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) AS ident) o
              CROSS JOIN LATERAL (SELECT d.refclassid, d.refobjid, pg_catalog.pg_identify_object(d.refclassid, d.refobjid, d.refobjsubid) AS ident) r
             WHERE {UserObject} AND d.deptype <> 'p'
               AND (d.refobjid < 16384 OR COALESCE((r.ident).schema, '') <> 'pg_toast')
               AND NOT (d.refclassid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND (SELECT t.tgisinternal FROM pg_catalog.pg_trigger t WHERE t.oid = d.refobjid))
            """,
            conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        // Comments, on user objects and their columns.
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT 'pg_description | ' || i.type || ' ' || COALESCE(i.identity, '?') || ' | ' || d.description
              FROM pg_catalog.pg_description d
              CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid) i
             WHERE d.objoid >= 16384
            """,
            conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>Row digests of every table and materialized view, sequence values and large objects.</summary>
    public static async Task<List<string>> DataAsync(PostgresServer server, string database)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString(database));
        await conn.OpenAsync();
        var relations = new List<(string Name, char Kind, bool Populated)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), c.relkind, c.relispopulated
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
             ORDER BY 1
            """,
            conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                relations.Add((reader.GetString(0), reader.GetChar(1), reader.GetBoolean(2)));
            }
        }

        var lines = new List<string>();
        foreach (var (name, kind, populated) in relations)
        {
            var sql = kind switch
            {
                'S' => $"SELECT last_value || ',' || is_called FROM {name}",
                'm' when !populated => "SELECT 'not populated'",
                _ => $"SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM ONLY {name} x",
            };
            await using var cmd = new NpgsqlCommand(sql, conn);
            lines.Add(name + " | " + await cmd.ExecuteScalarAsync());
        }

        await using (var cmd = new NpgsqlCommand(
            "SELECT 'large object ' || m.oid || ' | ' || md5(pg_catalog.lo_get(m.oid)) FROM pg_catalog.pg_largeobject_metadata m ORDER BY m.oid",
            conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        return lines;
    }
}
