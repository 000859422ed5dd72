using Npgsql;

namespace BackupCore.Catalog;

/// <summary>
/// pg_depend read in the dump's snapshot, plus the map from sub-objects (rewrite rules, column defaults,
/// array and row types, constraints, indexes, extension members) to the object that owns them, so every
/// dependency can be pointed at something that has a TOC entry, as pg_dump's getDependencies and
/// BuildArchiveDependencies do.
/// </summary>
internal sealed class CatalogDependencies
{
    // First normal (non-bootstrap) OID, transam.h FirstNormalObjectId: objects below it are built in
    // (pinned), and nothing in a dump depends on them in a way that needs ordering.
    private const uint FirstNormalObjectId = 16384;

    // Which object a sub-object belongs to. Extension membership comes first: a member is never dumped,
    // a dependency on it is a dependency on its extension (pg_dump: getExtensionMembership). Internal
    // dependencies ('i') come next: the dependent is part of the referenced object (a foreign key's
    // triggers, a constraint's index, a view's _RETURN rule, a table's row type). Column defaults, CHECK and
    // NOT NULL constraints (pg_constraint rows from PostgreSQL 17 for domains, 18 for tables) fold into their
    // table or domain (they are printed inside its CREATE). Other sub-objects that have no
    // entry (a foreign key cloned onto a partition, an internal trigger) fold into nothing: their dependencies
    // must not make a pre-data table wait for post-data objects.
    private static string OwnerQuery(PgVersion version) => $"""
        SELECT d.classid, d.objid, 3079::oid, d.refobjid, 0 AS prio FROM pg_catalog.pg_depend d
         WHERE d.deptype = 'e' AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
        UNION ALL SELECT d.classid, d.objid, d.refclassid, d.refobjid, 1 FROM pg_catalog.pg_depend d
         WHERE d.deptype = 'i' AND d.objid >= 16384 AND d.refobjid >= 16384
        UNION ALL SELECT 2618::oid, r.oid, 1259::oid, r.ev_class, 2 FROM pg_catalog.pg_rewrite r WHERE r.oid >= 16384 AND r.rulename = '_RETURN'
        UNION ALL SELECT 2604::oid, a.oid, 1259::oid, a.adrelid, 2 FROM pg_catalog.pg_attrdef a
        UNION ALL SELECT 1247::oid, t.oid, 1247::oid, t.typelem, 2 FROM pg_catalog.pg_type t
         WHERE t.oid >= 16384 AND t.typelem <> 0 AND t.typcategory = 'A'
        UNION ALL SELECT 1247::oid, t.oid, 1259::oid, t.typrelid, 2 FROM pg_catalog.pg_type t
         JOIN pg_catalog.pg_class c ON c.oid = t.typrelid WHERE t.oid >= 16384 AND c.relkind <> 'c'
        UNION ALL SELECT 1259::oid, c.oid, 1247::oid, c.reltype, 2 FROM pg_catalog.pg_class c WHERE c.relkind = 'c'
        {(version >= PgVersion.V14 ? MultirangeOwners : "")}
        UNION ALL SELECT 2606::oid, c.oid, CASE WHEN c.conrelid <> 0 THEN 1259::oid ELSE 1247::oid END,
                  CASE WHEN c.conrelid <> 0 THEN c.conrelid ELSE c.contypid END, 2
          FROM pg_catalog.pg_constraint c WHERE c.oid >= 16384 AND c.contype IN ('c', 'n')
        UNION ALL SELECT 1259::oid, k.conindid, 2606::oid, k.oid, 2
          FROM pg_catalog.pg_constraint k WHERE k.conindid >= 16384 AND k.contype IN ('p', 'u', 'x')
        ORDER BY 5
        """;

    // A range type's multirange (PostgreSQL 14+: pg_range.rngmultitypid) is created with its range type.
    private const string MultirangeOwners =
        "UNION ALL SELECT 1247::oid, r.rngmultitypid, 1247::oid, r.rngtypid, 2 FROM pg_catalog.pg_range r WHERE r.rngtypid >= 16384";

    private const string DependQuery = """
        SELECT d.classid, d.objid, d.refclassid, d.refobjid, d.deptype
          FROM pg_catalog.pg_depend d
         WHERE d.deptype NOT IN ('p', 'e', 'x') AND d.classid <> 0
           AND d.objid >= 16384 AND d.refobjid >= 16384
        """;

    private readonly Dictionary<CatalogObjectId, CatalogObjectId> _owner;

    /// <summary>For tests and callers that already hold the rows.</summary>
    public CatalogDependencies(Dictionary<CatalogObjectId, CatalogObjectId> owner, List<(CatalogObjectId Dependent, CatalogObjectId Referenced, char DepType)> edges)
    {
        _owner = owner;
        Edges = edges;
    }

    /// <summary>Raw pg_depend rows (dependent → referenced), sub-object ids unresolved.</summary>
    public IReadOnlyList<(CatalogObjectId Dependent, CatalogObjectId Referenced, char DepType)> Edges { get; }

    public static async Task<CatalogDependencies> ReadAsync(NpgsqlConnection connection, PgVersion version, CancellationToken cancellationToken)
    {
        var owner = new Dictionary<CatalogObjectId, CatalogObjectId>();
        await using (var cmd = new NpgsqlCommand(OwnerQuery(version), connection))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = new CatalogObjectId(reader.GetFieldValue<uint>(0), reader.GetFieldValue<uint>(1));
                var parent = new CatalogObjectId(reader.GetFieldValue<uint>(2), reader.GetFieldValue<uint>(3));
                if (parent.ObjectId != 0 && parent != id)
                {
                    owner.TryAdd(id, parent);
                }
            }
        }

        var edges = new List<(CatalogObjectId, CatalogObjectId, char)>();
        await using (var cmd = new NpgsqlCommand(DependQuery, connection))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                edges.Add((
                    new CatalogObjectId(reader.GetFieldValue<uint>(0), reader.GetFieldValue<uint>(1)),
                    new CatalogObjectId(reader.GetFieldValue<uint>(2), reader.GetFieldValue<uint>(3)),
                    reader.GetChar(4)));
            }
        }

        return new CatalogDependencies(owner, edges);
    }

    /// <summary>
    /// The dumped object that stands for <paramref name="id"/>: itself when it has an entry, else its owner's
    /// (recursively), else null (outside the dump: system objects, other schemas, undumped extension members).
    /// </summary>
    public CatalogObjectId? Resolve(CatalogObjectId id, Func<CatalogObjectId, bool> isDumped)
    {
        ArgumentNullException.ThrowIfNull(isDumped);
        var current = id;
        for (var depth = 0; depth < 8; depth++)
        {
            if (isDumped(current))
            {
                return current;
            }

            if (!_owner.TryGetValue(current, out var parent))
            {
                return null;
            }

            current = parent;
        }

        return null;
    }

    /// <summary>True for an object at or above <see cref="FirstNormalObjectId"/>.</summary>
    public static bool IsUserObject(uint oid) => oid >= FirstNormalObjectId;
}
