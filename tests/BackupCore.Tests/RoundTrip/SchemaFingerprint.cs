using BackupCore.Tests.Fixtures;
using Npgsql;

namespace BackupCore.Tests.RoundTrip;

/// <summary>
/// The schema of a database as the server itself describes it (pg_get_*def, format_type, pg_describe_object and the
/// catalog columns that no such function shows), one sorted line per fact, for every major 13 to 18. The oracle of the
/// per-major round trips: pg_dump 15, the project's client, cannot read a 16+ server, and comparing our own reader's
/// output with itself would prove nothing. OIDs, owners and storage details are left out: a restore changes them.
/// </summary>
internal static class SchemaFingerprint
{
    private const string UserSchema = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'";

    private const string NotExtensionMember =
        "NOT EXISTS (SELECT FROM pg_catalog.pg_depend e WHERE e.classid = {0}::pg_catalog.regclass AND e.objid = {1} AND e.deptype = 'e')";

    private static string NotMember(string catalog, string oid) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, NotExtensionMember, "'pg_catalog." + catalog + "'", oid);

    private static string Queries(int major) => string.Join("\nUNION ALL\n",
        $"""
        SELECT 'schema ' || n.nspname FROM pg_catalog.pg_namespace n WHERE {UserSchema}
        """,
        """
        SELECT 'extension ' || x.extname || ' ' || x.extversion || ' in ' || x.extnamespace::pg_catalog.regnamespace::text FROM pg_catalog.pg_extension x
        """,
        $"""
        SELECT 'relation ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
               || ' kind=' || c.relkind::text || ' persistence=' || c.relpersistence::text || ' options=' || COALESCE(c.reloptions::text, '')
               || ' toast=' || COALESCE((SELECT t.reloptions::text FROM pg_catalog.pg_class t WHERE t.oid = c.reltoastrelid), '')
               || ' replica=' || c.relreplident::text || ' rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity
               || ' partkey=' || COALESCE(pg_catalog.pg_get_partkeydef(c.oid), '') || ' bound=' || COALESCE(pg_catalog.pg_get_expr(c.relpartbound, c.oid), '')
               || ' am=' || COALESCE(am.amname, '') || ' populated=' || c.relispopulated
               || ' view=' || COALESCE(CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END, '')
               || ' inherits=' || COALESCE((SELECT pg_catalog.string_agg(pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.relname), ',' ORDER BY i.inhseqno)
                                              FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
                                              JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
                                             WHERE i.inhrelid = c.oid AND c.relkind <> 'i' AND c.relkind <> 'I'), '')
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam AND c.relkind NOT IN ('i', 'I')
         WHERE {UserSchema} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'c', 'f') AND {NotMember("pg_class", "c.oid")}
        """,
        // The column's position among live columns (a dropped column leaves a gap pg_dump does not keep); attislocal of
        // a partition is left out (pg_dump creates it as a table and attaches it, which makes its columns local).
        $"""
        SELECT 'column ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || '.' || pg_catalog.quote_ident(a.attname)
               || ' #' || pg_catalog.row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum)
               || ' type=' || pg_catalog.format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
               || ' local=' || CASE WHEN c.relispartition THEN '-' ELSE a.attislocal::text END || ' inherited=' || a.attinhcount
               || ' default=' || COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text
               || ' statistics=' || COALESCE(a.attstattarget::pg_catalog.int4, -1) || ' storage=' || a.attstorage::text
               || ' compression=' || {(major >= 14 ? "a.attcompression::text" : "''")}
               || ' collation=' || COALESCE(co.collname, '') || ' options=' || COALESCE(a.attoptions::text, '')
          FROM pg_catalog.pg_attribute a
          JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
         WHERE {UserSchema} AND c.relkind IN ('r', 'p', 'v', 'm', 'c', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND {NotMember("pg_class", "c.oid")}
        """,
        $"""
        SELECT 'constraint ' || pg_catalog.quote_ident(n.nspname) || '.' || COALESCE(pg_catalog.quote_ident(c.relname), pg_catalog.quote_ident(t.typname)) || '.' || pg_catalog.quote_ident(k.conname)
               || ' type=' || k.contype::text || ' def=' || pg_catalog.pg_get_constraintdef(k.oid) || ' valid=' || k.convalidated
               || ' deferrable=' || k.condeferrable || '/' || k.condeferred || ' local=' || k.conislocal || ' inherited=' || k.coninhcount
               -- (NO INHERIT of a key means nothing, and a partition's key created ONLY then attached has it set.)
               || ' noinherit=' || (k.connoinherit AND k.contype IN ('c', 'n')) {(major >= 18 ? "|| ' enforced=' || k.conenforced || ' period=' || k.conperiod" : "")}
          FROM pg_catalog.pg_constraint k
          JOIN pg_catalog.pg_namespace n ON n.oid = k.connamespace
          LEFT JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
          LEFT JOIN pg_catalog.pg_type t ON t.oid = k.contypid
         WHERE {UserSchema} AND {NotMember("pg_class", "COALESCE(c.oid, 0)")} AND {NotMember("pg_type", "COALESCE(t.oid, 0)")}
        """,
        $"""
        SELECT 'index ' || pg_catalog.pg_get_indexdef(i.indexrelid) || ' clustered=' || i.indisclustered || ' replica=' || i.indisreplident
               || ' valid=' || i.indisvalid || ' parent=' || COALESCE((SELECT p.relname FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class p ON p.oid = h.inhparent WHERE h.inhrelid = i.indexrelid), '')
          FROM pg_catalog.pg_index i
          JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE {UserSchema} AND {NotMember("pg_class", "c.oid")}
        """,
        $"""
        SELECT 'statistics ' || pg_catalog.pg_get_statisticsobjdef(s.oid) || ' target=' || COALESCE(s.stxstattarget::pg_catalog.int4, -1)
          FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace WHERE {UserSchema}
        """,
        $"""
        SELECT 'sequence ' || s.schemaname || '.' || s.sequencename || ' ' || s.data_type::text || ' start=' || s.start_value || ' min=' || s.min_value
               || ' max=' || s.max_value || ' increment=' || s.increment_by || ' cycle=' || s.cycle || ' cache=' || s.cache_size
               || ' last=' || COALESCE(s.last_value::text, 'none')
               || ' owned=' || COALESCE((SELECT d.deptype::text || ':' || pg_catalog.pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)
                                           FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                            AND d.objid = (pg_catalog.quote_ident(s.schemaname) || '.' || pg_catalog.quote_ident(s.sequencename))::pg_catalog.regclass
                                            AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')), '')
               || ' unlogged=' || (SELECT c.relpersistence::text FROM pg_catalog.pg_class c WHERE c.oid = (pg_catalog.quote_ident(s.schemaname) || '.' || pg_catalog.quote_ident(s.sequencename))::pg_catalog.regclass)
          FROM pg_catalog.pg_sequences s WHERE s.schemaname <> 'information_schema' AND s.schemaname !~ '^pg_'
        """,
        $"""
        SELECT 'type ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.typname) || ' kind=' || t.typtype::text
               || ' base=' || COALESCE(pg_catalog.format_type(NULLIF(t.typbasetype, 0), t.typtypmod), '') || ' notnull=' || t.typnotnull
               || ' default=' || COALESCE(t.typdefault, '') || ' collation=' || COALESCE((SELECT co.collname FROM pg_catalog.pg_collation co WHERE co.oid = t.typcollation), '')
               || ' labels=' || COALESCE((SELECT pg_catalog.string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), '')
               || ' range=' || COALESCE((SELECT r.rngsubtype::pg_catalog.regtype::text || '/' || r.rngsubopc::text || '/' || r.rngcanonical::text || '/' || r.rngsubdiff::text
                                                {(major >= 14 ? "|| '/' || r.rngmultitypid::pg_catalog.regtype::text" : "")}
                                           FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid), '')
          FROM pg_catalog.pg_type t
          JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
         WHERE {UserSchema} AND t.typtype IN ('e', 'd', 'r', 'c', 'm') AND {NotMember("pg_type", "t.oid")}
           AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
        """,
        $"""
        SELECT 'function ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ') '
               || CASE WHEN p.prokind = 'a' THEN
                       (SELECT 'aggregate ' || g.aggkind::text || ' ' || g.aggtransfn::text || ' ' || g.aggfinalfn::text || ' ' || g.aggcombinefn::text
                               || ' ' || g.aggsortop::pg_catalog.regoperator::text || ' ' || g.aggtranstype::pg_catalog.regtype::text || ' ' || COALESCE(g.agginitval, '-')
                               || ' ' || g.aggtransspace || ' ' || g.aggfinalmodify::text || ' ' || p.proparallel::text
                          FROM pg_catalog.pg_aggregate g WHERE g.aggfnoid = p.oid)
                       ELSE pg_catalog.pg_get_functiondef(p.oid) END
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
         WHERE {UserSchema} AND {NotMember("pg_proc", "p.oid")}
        """,
        $"""
        SELECT 'trigger ' || pg_catalog.pg_get_triggerdef(g.oid) || ' enabled=' || g.tgenabled::text
          FROM pg_catalog.pg_trigger g
          JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE {UserSchema} AND NOT g.tgisinternal
        """,
        $"""
        SELECT 'rule ' || pg_catalog.pg_get_ruledef(r.oid) FROM pg_catalog.pg_rewrite r
          JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE {UserSchema} AND r.rulename <> '_RETURN'
        """,
        """
        SELECT 'policy ' || p.schemaname || '.' || p.tablename || '.' || p.policyname || ' ' || p.permissive || ' ' || p.roles::text || ' ' || p.cmd
               || ' using=' || COALESCE(p.qual, '') || ' check=' || COALESCE(p.with_check, '')
          FROM pg_catalog.pg_policies p
        """,
        // Comments, wherever they hang: pg_describe_object names the object the same way in any database.
        """
        SELECT 'comment ' || pg_catalog.pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' = ' || d.description
          FROM pg_catalog.pg_description d WHERE d.objoid >= 16384
        """);

    /// <summary>One line per schema fact, sorted.</summary>
    public static async Task<List<string>> ReadAsync(PostgresServer server, string database)
    {
        var lines = new List<string>();
        await using var connection = new NpgsqlConnection(server.ConnectionString(database));
        await connection.OpenAsync();
        await using (var setup = new NpgsqlCommand("SET search_path = ''", connection))
        {
            await setup.ExecuteNonQueryAsync();
        }

        await using var cmd = new NpgsqlCommand(Queries(server.Major), connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>Fails listing the lines only one side has.</summary>
    public static void AssertSame(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string what)
    {
        var missing = expected.Except(actual, StringComparer.Ordinal).ToList();
        var extra = actual.Except(expected, StringComparer.Ordinal).ToList();
        Assert.True(
            missing.Count == 0 && extra.Count == 0 && expected.Count == actual.Count,
            $"{what}: schema differs from the source\n--- only in the source ---\n{string.Join('\n', missing)}\n--- only in the restore ---\n{string.Join('\n', extra)}");
    }
}
