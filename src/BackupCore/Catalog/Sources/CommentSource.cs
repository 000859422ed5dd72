using System.Runtime.CompilerServices;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// COMMENT entries for every dumped object that has a pg_description row: schemas, extensions, types and domains,
/// relations and their columns, constraints (table and domain), functions, procedures, aggregates, triggers, rules,
/// policies and extended statistics. Shapes follow pg_dump.c's dumpComment: tag "TYPE name" with the name quoted, defn
/// <c>COMMENT ON TYPE s.name IS '...';</c>, the object's schema as namespace, and exactly one dependency, the
/// commented object. Like pg_dump, comments are SECTION_NONE: the reader places each one right after its object,
/// keeping this source's order for the comments of one object (own comment, then columns by attnum, then
/// constraints, as pg_dump writes them); <see cref="CatalogObject.Priority"/> carries the same position.
/// The default comment of schema public is skipped (and a removed one restored as ''), as pg_dump does.
/// </summary>
internal sealed class CommentSource : ICatalogObjectSource
{
    /// <summary>initdb's comment on schema public, which pg_dump never dumps.</summary>
    public const string PublicSchemaComment = "standard public schema";

    private const string NotExtensionMember = """
        NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x
                    WHERE x.classid = {0}::pg_catalog.regclass AND x.objid = {1} AND x.deptype = 'e')
        """;

    // Columns: kind, name, schema, relation, column/args, description, parent class, parent oid, owner, order under the
    // parent. pg_dump writes an object's own comment first, then its columns' (by attnum), then the
    // comments on constraints written inside it (by name); the reader keeps this order for comments on one object.
    private static readonly string Query = string.Join("\nUNION ALL\n",
        """
        SELECT 'SCHEMA', n.nspname, NULL::pg_catalog.name, NULL::pg_catalog.name, NULL::pg_catalog.text, d.description,
               'pg_catalog.pg_namespace'::pg_catalog.regclass::pg_catalog.oid, n.oid, pg_catalog.pg_get_userbyid(n.nspowner), 0
        FROM pg_catalog.pg_namespace n
        LEFT JOIN pg_catalog.pg_description d
               ON d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objoid = n.oid AND d.objsubid = 0
        WHERE n.oid = ANY ($1) AND (d.description IS NOT NULL OR n.nspname = 'public')
        """,
        $"""
        SELECT 'EXTENSION', e.extname, NULL, NULL, NULL, d.description,
               'pg_catalog.pg_extension'::pg_catalog.regclass::pg_catalog.oid, e.oid, '', 0
        FROM pg_catalog.pg_extension e
        JOIN pg_catalog.pg_description d
          ON d.classoid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.objoid = e.oid AND d.objsubid = 0
        WHERE e.extnamespace = ANY ($1) AND e.oid >= 16384
        """,
        $"""
        SELECT CASE WHEN t.typtype = 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname, n.nspname, NULL, NULL, d.description,
               'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, t.oid, pg_catalog.pg_get_userbyid(t.typowner), 0
        FROM pg_catalog.pg_type t
        JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        JOIN pg_catalog.pg_description d
          ON d.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objoid = t.oid AND d.objsubid = 0
        WHERE t.typnamespace = ANY ($1)
          AND t.typtype IN ('b', 'c', 'd', 'e', 'r')
          AND (t.typrelid = 0 OR (SELECT rc.relkind FROM pg_catalog.pg_class rc WHERE rc.oid = t.typrelid) = 'c')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type a WHERE a.typarray = t.oid)
          AND {string.Format(System.Globalization.CultureInfo.InvariantCulture, NotExtensionMember, "'pg_catalog.pg_type'", "t.oid")}
        """,
        $"""
        SELECT CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'TABLE' WHEN 'v' THEN 'VIEW'
                              WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                              ELSE 'INDEX' END,
               c.relname, n.nspname, NULL, NULL, d.description,
               CASE WHEN con.oid IS NULL THEN 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid
                    ELSE 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid END,
               COALESCE(con.oid, c.oid),
               pg_catalog.pg_get_userbyid(c.relowner), 0
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_description d
          ON d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objoid = c.oid AND d.objsubid = 0
        LEFT JOIN pg_catalog.pg_constraint con
          ON c.relkind IN ('i', 'I') AND con.conindid = c.oid AND con.contype IN ('p', 'u', 'x')
        WHERE c.relnamespace = ANY ($1)
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I')
          AND {string.Format(System.Globalization.CultureInfo.InvariantCulture, NotExtensionMember, "'pg_catalog.pg_class'", "COALESCE((SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = c.oid), c.oid)")}
        """,
        $"""
        SELECT 'COLUMN', c.relname, n.nspname, c.relname, a.attname::pg_catalog.text, d.description,
               CASE WHEN c.relkind = 'c' THEN 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid
                    ELSE 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid END,
               CASE WHEN c.relkind = 'c' THEN c.reltype ELSE c.oid END,
               pg_catalog.pg_get_userbyid(c.relowner), a.attnum
        FROM pg_catalog.pg_description d
        JOIN pg_catalog.pg_class c ON d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objoid = c.oid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND NOT a.attisdropped
        WHERE d.objsubid > 0
          AND c.relnamespace = ANY ($1)
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
          AND {string.Format(System.Globalization.CultureInfo.InvariantCulture, NotExtensionMember, "'pg_catalog.pg_class'", "c.oid")}
          AND {string.Format(System.Globalization.CultureInfo.InvariantCulture, NotExtensionMember, "'pg_catalog.pg_type'", "c.reltype")}
        """,
        // Validated CHECK and NOT NULL constraints (pg_constraint rows for domains from PostgreSQL 17, for tables from
        // 18) are written inside their table's (or domain's) CREATE; everything else (keys, exclusions, foreign keys,
        // NOT VALID checks and not-nulls) is its own post-data entry and the comment follows it.
        """
        SELECT CASE WHEN con.contypid <> 0 THEN 'DOMAIN CONSTRAINT' ELSE 'CONSTRAINT' END,
               con.conname, n.nspname, COALESCE(c.relname, t.typname), NULL, d.description,
               CASE WHEN con.contype IN ('c', 'n') AND con.convalidated AND con.contypid <> 0 THEN 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid
                    WHEN con.contype IN ('c', 'n') AND con.convalidated THEN 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid
                    ELSE 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid END,
               CASE WHEN con.contype IN ('c', 'n') AND con.convalidated AND con.contypid <> 0 THEN con.contypid
                    WHEN con.contype IN ('c', 'n') AND con.convalidated THEN con.conrelid
                    -- An inherited NOT VALID check comes with the ancestor's own (local) entry.
                    WHEN con.contype = 'c' AND NOT con.conislocal THEN COALESCE((
                        WITH RECURSIVE up(relid) AS (
                            SELECT con.conrelid
                            UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN up ON i.inhrelid = up.relid)
                        SELECT a.oid FROM pg_catalog.pg_constraint a
                         WHERE a.conrelid IN (SELECT up.relid FROM up) AND a.conname = con.conname AND a.contype = 'c' AND a.conislocal
                         LIMIT 1), con.oid)
                    ELSE con.oid END,
               pg_catalog.pg_get_userbyid(COALESCE(c.relowner, t.typowner)), 32767
        FROM pg_catalog.pg_constraint con
        JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace
        JOIN pg_catalog.pg_description d
          ON d.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND d.objoid = con.oid AND d.objsubid = 0
        LEFT JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
        LEFT JOIN pg_catalog.pg_type t ON t.oid = con.contypid
        WHERE con.connamespace = ANY ($1)
        """,
        $"""
        SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
               p.proname, n.nspname, NULL, pg_catalog.pg_get_function_identity_arguments(p.oid), d.description,
               'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, p.oid, pg_catalog.pg_get_userbyid(p.proowner), 0
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        JOIN pg_catalog.pg_description d
          ON d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objoid = p.oid AND d.objsubid = 0
        WHERE p.pronamespace = ANY ($1)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x
                          WHERE x.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND x.objid = p.oid AND x.deptype IN ('e', 'i'))
        """,
        """
        SELECT 'TRIGGER', tg.tgname, n.nspname, c.relname, NULL, d.description,
               'pg_catalog.pg_trigger'::pg_catalog.regclass::pg_catalog.oid, tg.oid, pg_catalog.pg_get_userbyid(c.relowner), 0
        FROM pg_catalog.pg_trigger tg
        JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_description d
          ON d.classoid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.objoid = tg.oid AND d.objsubid = 0
        WHERE c.relnamespace = ANY ($1) AND NOT tg.tgisinternal AND tg.tgparentid = 0
        """,
        """
        SELECT 'RULE', r.rulename, n.nspname, c.relname, NULL, d.description,
               'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, r.oid, pg_catalog.pg_get_userbyid(c.relowner), 0
        FROM pg_catalog.pg_rewrite r
        JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_description d
          ON d.classoid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objoid = r.oid AND d.objsubid = 0
        WHERE c.relnamespace = ANY ($1) AND r.rulename <> '_RETURN'
        """,
        $"""
        SELECT 'STATISTICS', s.stxname, n.nspname, NULL, NULL, d.description,
               'pg_catalog.pg_statistic_ext'::pg_catalog.regclass::pg_catalog.oid, s.oid, pg_catalog.pg_get_userbyid(s.stxowner), 0
        FROM pg_catalog.pg_statistic_ext s
        JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
        JOIN pg_catalog.pg_description d
          ON d.classoid = 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass AND d.objoid = s.oid AND d.objsubid = 0
        WHERE s.stxnamespace = ANY ($1)
          AND {string.Format(System.Globalization.CultureInfo.InvariantCulture, NotExtensionMember, "'pg_catalog.pg_statistic_ext'", "s.oid")}
        """,
        """
        SELECT 'POLICY', pol.polname, n.nspname, c.relname, NULL, d.description,
               'pg_catalog.pg_policy'::pg_catalog.regclass::pg_catalog.oid, pol.oid, pg_catalog.pg_get_userbyid(c.relowner), 0
        FROM pg_catalog.pg_policy pol
        JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_description d
          ON d.classoid = 'pg_catalog.pg_policy'::pg_catalog.regclass AND d.objoid = pol.oid AND d.objsubid = 0
        WHERE c.relnamespace = ANY ($1)
        """) + "\nORDER BY 7, 8, 10, 2";

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = new List<Row>();
        await using (var cmd = new NpgsqlCommand(Query, context.Connection))
        {
            cmd.Parameters.Add(context.SchemaOidsParameter());
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new Row(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    new CatalogObjectId(reader.GetFieldValue<uint>(6), reader.GetFieldValue<uint>(7)),
                    reader.IsDBNull(8) ? null : reader.GetString(8)));
            }
        }

        var position = 0;
        foreach (var r in rows)
        {
            var description = r.Description;
            if (r.Kind == "SCHEMA" && r.Name == "public")
            {
                // pg_dump compares public's comment with initdb's: same → nothing; removed → restore it as ''.
                if (description == PublicSchemaComment)
                {
                    continue;
                }

                description ??= "";
            }

            if (description is null)
            {
                continue;
            }

            yield return ToObject(context.Quoting, r, description, position++);
        }
    }

    private static CatalogObject ToObject(SqlQuoting q, Row r, string description, int position)
    {
        // pg_dump's dumpComment(type, name, namespace): tag "type name"; defn "COMMENT ON type [ns.]name IS '...';".
        var (type, name, schema) = r.Kind switch
        {
            "SCHEMA" or "EXTENSION" => (r.Kind, q.Ident(r.Name), null),
            "COLUMN" => ("COLUMN", q.Ident(r.Relation!) + "." + q.Ident(r.Sub!), r.Schema),
            "CONSTRAINT" => ("CONSTRAINT " + q.Ident(r.Name) + " ON", q.Ident(r.Relation!), r.Schema),
            "DOMAIN CONSTRAINT" => ("CONSTRAINT " + q.Ident(r.Name) + " ON DOMAIN", q.Ident(r.Relation!), r.Schema),
            "FUNCTION" or "PROCEDURE" => (r.Kind, q.Ident(r.Name) + "(" + r.Sub + ")", r.Schema),
            "AGGREGATE" => (r.Kind, q.Ident(r.Name) + "(" + (string.IsNullOrEmpty(r.Sub) ? "*" : r.Sub) + ")", r.Schema),
            "TRIGGER" or "RULE" or "POLICY" => (r.Kind + " " + q.Ident(r.Name) + " ON", q.Ident(r.Relation!), r.Schema),
            _ => (r.Kind, q.Ident(r.Name), r.Schema),
        };
        return Entry(q, type, name, schema, description, r.Owner, r.Parent, position);
    }

    /// <summary>
    /// One COMMENT entry as pg_dump's dumpComment(type, name, namespace) writes it: tag "type name", defn
    /// "COMMENT ON type [ns.]name IS '...';"; <paramref name="name"/> is already quoted. Sources whose objects carry
    /// their comment in their own query (large objects, publications) use it right after the object.
    /// </summary>
    internal static CatalogObject Entry(SqlQuoting q, string type, string name, string? schema, string description, string? owner, CatalogObjectId parent, int position)
    {
        var target = schema is null ? name : q.Ident(schema) + "." + name;
        return new CatalogObject
        {
            Desc = "COMMENT",
            Tag = type + " " + name,
            Section = DumpSection.None,
            Namespace = schema,
            Definition = "COMMENT ON " + type + " " + target + " IS " + SqlQuoting.Literal(description) + ";\n",
            Owner = owner,
            DependsOn = [parent],
            Priority = position,
        };
    }

    private sealed record Row(
        string Kind,
        string Name,
        string? Schema,
        string? Relation,
        string? Sub,
        string? Description,
        CatalogObjectId Parent,
        string? Owner);
}
