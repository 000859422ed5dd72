using BackupCore.Plan;

namespace BackupCore.Catalog;

/// <summary>
/// One object read from the catalog, before ordering: a <see cref="DumpEntry"/> without its dump id.
/// <see cref="CatalogReader"/> resolves <see cref="Id"/> and <see cref="DependsOn"/> (plus pg_depend)
/// into dump-id dependencies, sorts, and numbers the entries.
/// </summary>
internal sealed record CatalogObject
{
    /// <summary>pg_depend identity; also what other objects' dependencies point at. Null for entries no one can depend on.</summary>
    public CatalogObjectId? Id { get; init; }

    /// <summary>
    /// An identity other objects' <see cref="DependsOn"/> may name when the entry has no catalog identity of its own
    /// (pg_dump writes INDEX ATTACH as "0 0"); never written to the TOC. INDEX ATTACH uses the child index's
    /// pg_inherits row, <see cref="CatalogClassIds.IndexAttach"/>.
    /// </summary>
    public CatalogObjectId? AliasId { get; init; }

    public required string Desc { get; init; }

    public required string Tag { get; init; }

    public required DumpSection Section { get; init; }

    public string? Namespace { get; init; }

    public string Definition { get; init; } = "";

    public string? DropStatement { get; init; }

    public string? CopyStatement { get; init; }

    public string? Owner { get; init; }

    public string? Tablespace { get; init; }

    public string? TableAccessMethod { get; init; }

    public TableDataSource? Data { get; init; }

    /// <summary>The BLOBS entry's large objects (see <see cref="DumpEntry.LargeObjects"/>).</summary>
    public IReadOnlyList<uint>? LargeObjects { get; init; }

    /// <summary>Dependencies beyond pg_depend's (e.g. a COMMENT on its object, TABLE DATA on its TABLE).</summary>
    public IReadOnlyList<CatalogObjectId> DependsOn { get; init; } = [];

    /// <summary>
    /// Dump this object only when a dumped object depends on it (pg_depend, through extension members):
    /// extensions when only some schemas are dumped, so <c>uuid_generate_v4()</c> defaults still restore.
    /// </summary>
    public bool OnlyIfReferenced { get; init; }

    /// <summary>
    /// Parts of <see cref="Definition"/> (a column default, a CHECK constraint, ...) that may be dumped as
    /// entries of their own when the object is on a dependency loop, as pg_dump's repairDependencyLoop
    /// does. The reader then replaces this object with <see cref="Without"/> of the detached sub-objects
    /// and adds the parts' entries.
    /// </summary>
    public IReadOnlyList<DetachablePart> DetachableParts { get; init; } = [];

    /// <summary>This object re-rendered without the given detachable sub-objects; required when <see cref="DetachableParts"/> is not empty.</summary>
    public Func<IReadOnlySet<CatalogObjectId>, CatalogObject>? Without { get; init; }

    /// <summary>
    /// What replaces this pre-data object when a dependency loop runs through the pre-data boundary because the object
    /// needs a post-data one (a function, view or materialized view whose query groups by a primary key depends on that
    /// key's constraint): pg_dump_sort.c repairFunctionBoundaryMultiLoop and repairMatViewBoundaryMultiLoop move a
    /// function or materialized view to post-data; repairViewRuleMultiLoop writes a view as a dummy and its query as a
    /// post-data RULE entry. Null: the object cannot be postponed.
    /// </summary>
    public Func<IReadOnlyList<CatalogObject>>? PostponedForm { get; init; }

    /// <summary>Tie-break between objects with no dependency between them, like pg_dump_sort.c's type priorities.</summary>
    public required int Priority { get; init; }

    /// <summary>
    /// The object's own name where the tag is more than that: pg_dump_sort.c sorts a constraint, trigger or
    /// policy by its own name first and only then by its table (the tag "table name" would sort by table).
    /// Null means <see cref="Tag"/>.
    /// </summary>
    public string? SortTag { get; init; }

    /// <summary>For DumpEntry.TableOid/Oid.</summary>
    public uint CatalogOid => Id?.ClassId ?? 0;

    public uint ObjectOid => Id?.ObjectId ?? 0;
}
