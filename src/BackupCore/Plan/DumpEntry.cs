namespace BackupCore.Plan;

/// <summary>
/// One object of the dump, shaped like a pg_dump TOC entry so that the plain SQL writer and
/// the custom archive writer print the same thing (pg_backup_archiver.h, <c>TocEntry</c>).
/// Names in <see cref="Tag"/> and <see cref="Namespace"/> are raw (unquoted); SQL in
/// <see cref="Definition"/>, <see cref="DropStatement"/> and <see cref="CopyStatement"/> is
/// fully schema-qualified because it is replayed with an empty search_path.
/// </summary>
public sealed record DumpEntry
{
    /// <summary>1-based, dense, unique within a plan.</summary>
    public required int DumpId { get; init; }

    /// <summary>pg_dump's object type string: "TABLE", "TABLE DATA", "INDEX", "FK CONSTRAINT", ...</summary>
    public required string Desc { get; init; }

    public required string Tag { get; init; }

    public required DumpSection Section { get; init; }

    public string? Namespace { get; init; }

    /// <summary>SQL that creates the object, ending in a newline; empty for TABLE DATA.</summary>
    public string Definition { get; init; } = "";

    /// <summary>SQL that drops the object (without IF EXISTS; writers add it). Null or empty: nothing to drop.</summary>
    public string? DropStatement { get; init; }

    /// <summary>TABLE DATA only: <c>COPY "s"."t" (cols) FROM stdin;\n</c>.</summary>
    public string? CopyStatement { get; init; }

    /// <summary>Catalog OID of the system catalog holding the object, as a decimal string ("0" when none).</summary>
    public string TableOid { get; init; } = "0";

    /// <summary>The object's own OID as a decimal string ("0" when none).</summary>
    public string Oid { get; init; } = "0";

    /// <summary>Null: not a storage object; "": database default tablespace.</summary>
    public string? Tablespace { get; init; }

    /// <summary>Table access method for TABLE and MATERIALIZED VIEW entries ("heap"), else null.</summary>
    public string? TableAccessMethod { get; init; }

    public string? Owner { get; init; }

    /// <summary>Dump ids this entry depends on.</summary>
    public IReadOnlyList<int> Dependencies { get; init; } = [];

    /// <summary>Set on TABLE DATA entries: what to COPY and how its columns are typed.</summary>
    public TableDataSource? Data { get; init; }

    public bool HasData => Data is not null;

    /// <summary>Set on the BLOBS entry: the oids of the large objects whose contents it carries, in the order they are written.</summary>
    public IReadOnlyList<uint>? LargeObjects { get; init; }

    /// <summary>The entry has a data block in the custom archive: TABLE DATA or BLOBS.</summary>
    public bool HasDataBlock => Data is not null || LargeObjects is not null;
}
