using System.Runtime.CompilerServices;

namespace BackupCore.Catalog.Sources;

/// <summary>
/// Fails the backup, naming the object, when a dumped schema holds an object kind no source writes yet
/// (foreign and typed tables, base and shell types, collations, operators, operator classes and families,
/// conversions, text search objects, security labels; with the whole database also casts, event triggers, foreign
/// data wrappers and servers, procedural languages, subscriptions and security labels on objects outside schemas). A backup that silently lacks objects would restore
/// "successfully" into something else.
/// </summary>
internal sealed class UnsupportedObjectSource : ICatalogObjectSource
{
    private static string InSchema(string catalog, string kind, string nameSql, string namespaceColumn, string where = "true") => $"""
        SELECT '{kind}', n.nspname, {nameSql} FROM pg_catalog.{catalog} x JOIN pg_catalog.pg_namespace n ON n.oid = x.{namespaceColumn}
         WHERE x.{namespaceColumn} = ANY($1) AND x.oid >= 16384 AND {where} AND {CatalogQuery.NotExtensionMember(catalog, "x.oid")}
        """;

    private static string Global(string catalog, string kind, string nameSql) => $"""
        SELECT '{kind}', NULL, {nameSql} FROM pg_catalog.{catalog} x
         WHERE x.oid >= 16384 AND {CatalogQuery.NotExtensionMember(catalog, "x.oid")}
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass AND d.objid = x.oid AND d.deptype = 'i')
        """;

    private static readonly string SchemaQuery = string.Join("UNION ALL\n", [
        InSchema("pg_class", "foreign table", "x.relname", "relnamespace", "x.relkind = 'f'"),
        InSchema("pg_class", "typed table", "x.relname", "relnamespace", "x.relkind IN ('r', 'p') AND x.reloftype <> 0"),
        InSchema("pg_type", "base type", "x.typname", "typnamespace", "x.typtype = 'b' AND NOT (x.typcategory = 'A' AND x.typelem <> 0)"),
        InSchema("pg_type", "shell type", "x.typname", "typnamespace", "NOT x.typisdefined"),
        InSchema("pg_type", "range type with a canonical function", "x.typname", "typnamespace", "x.typtype = 'r' AND EXISTS (SELECT FROM pg_catalog.pg_range r WHERE r.rngtypid = x.oid AND r.rngcanonical <> 0)"),
        InSchema("pg_collation", "collation", "x.collname", "collnamespace"),
        InSchema("pg_operator", "operator", "x.oprname", "oprnamespace"),
        InSchema("pg_opclass", "operator class", "x.opcname", "opcnamespace"),
        InSchema("pg_opfamily", "operator family", "x.opfname", "opfnamespace"),
        InSchema("pg_conversion", "conversion", "x.conname", "connamespace"),
        InSchema("pg_ts_config", "text search configuration", "x.cfgname", "cfgnamespace"),
        InSchema("pg_ts_dict", "text search dictionary", "x.dictname", "dictnamespace"),
        InSchema("pg_ts_parser", "text search parser", "x.prsname", "prsnamespace"),
        InSchema("pg_ts_template", "text search template", "x.tmplname", "tmplnamespace"),

        // pg_dump writes SECURITY LABEL for labelled objects; a label needs its provider module loaded to restore.
        """
        SELECT 'security label on', o.schema, o.type || ' ' || o.identity
          FROM pg_catalog.pg_seclabel l
          CROSS JOIN LATERAL pg_catalog.pg_identify_object(l.classoid, l.objoid, l.objsubid) o
         WHERE o.schema IN (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = ANY($1))
            OR (l.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND l.objoid = ANY($1))

        """,
    ]) + "ORDER BY 1, 2, 3";

    private static readonly string DatabaseQuery = string.Join("UNION ALL\n", [
        Global("pg_cast", "cast", "pg_catalog.format_type(x.castsource, NULL) || ' AS ' || pg_catalog.format_type(x.casttarget, NULL)"),
        Global("pg_event_trigger", "event trigger", "x.evtname"),
        Global("pg_foreign_data_wrapper", "foreign data wrapper", "x.fdwname"),
        Global("pg_foreign_server", "foreign server", "x.srvname"),
        Global("pg_language", "procedural language", "x.lanname"),
        """
        SELECT 'subscription', NULL, x.subname FROM pg_catalog.pg_subscription x
         WHERE x.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())

        """,
        """
        SELECT 'security label on', NULL, o.type || ' ' || o.identity
          FROM pg_catalog.pg_seclabel l
          CROSS JOIN LATERAL pg_catalog.pg_identify_object(l.classoid, l.objoid, l.objsubid) o
         WHERE o.schema IS NULL AND l.classoid <> 'pg_catalog.pg_namespace'::pg_catalog.regclass

        """,
    ]) + "ORDER BY 1, 3";

    public async IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var found = await CatalogQuery.ListAsync(context, SchemaQuery, r => (Kind: r.GetString(0), Schema: r.NullableString(1), Name: r.GetString(2)), cancellationToken).ConfigureAwait(false);
        if (context.AllSchemas)
        {
            found.AddRange(await CatalogQuery.ListAsync(context, DatabaseQuery, r => (Kind: r.GetString(0), Schema: r.NullableString(1), Name: r.GetString(2)), cancellationToken).ConfigureAwait(false));
        }

        if (found.Count > 0)
        {
            var names = found.Select(f => f.Kind switch
            {
                "cast" => "cast (" + f.Name + ")",
                "security label on" => "security label on " + f.Name, // pg_identify_object's type and qualified identity
                _ => f.Kind + " " + (f.Schema is null ? "" : context.Quoting.Ident(f.Schema) + ".") + context.Quoting.Ident(f.Name),
            }).ToList();
            throw new BackupException(
                "cannot dump " + string.Join(", ", names.Take(5)) + (names.Count > 5 ? $" and {names.Count - 5} more" : "") + ": object kind not supported by this backup engine",
                "leave the schema out with --schema, or remove the object; please report the object kind");
        }

        yield break;
    }
}
