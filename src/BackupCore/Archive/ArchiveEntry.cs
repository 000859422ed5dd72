namespace BackupCore.Archive;

/// <summary>One TOC entry as read from an archive (pg_backup_archiver.c, ReadToc), fields in file order.</summary>
/// <param name="FileOffset">Where the entry starts in the file.</param>
/// <param name="DumpId">The entry's id (≥ 1).</param>
/// <param name="HadDumper">True when the entry has a data block.</param>
/// <param name="TableOid">Catalog OID as text.</param>
/// <param name="Oid">Object OID as text.</param>
/// <param name="Tag">Object name, raw.</param>
/// <param name="Desc">Object type, e.g. "TABLE DATA".</param>
/// <param name="Section">1 none, 2 pre-data, 3 data, 4 post-data.</param>
/// <param name="Definition">defn (null or SQL).</param>
/// <param name="DropStatement">dropStmt.</param>
/// <param name="CopyStatement">copyStmt.</param>
/// <param name="Namespace">Schema, raw.</param>
/// <param name="Tablespace">Null: not a storage object; "": default.</param>
/// <param name="TableAccessMethod">tableam (1.14+).</param>
/// <param name="Relkind">relkind (1.16+ only, else 0).</param>
/// <param name="Owner">Owner role.</param>
/// <param name="WithOids">"false" in every archive pg_restore 12+ restores.</param>
/// <param name="Dependencies">Dump ids this entry depends on.</param>
/// <param name="OffsetState">The data offset flag.</param>
/// <param name="DataOffset">The absolute position of the data block when <see cref="OffsetState"/> is PositionSet.</param>
public sealed record ArchiveEntry(
    long FileOffset,
    int DumpId,
    bool HadDumper,
    string? TableOid,
    string? Oid,
    string? Tag,
    string? Desc,
    int Section,
    string? Definition,
    string? DropStatement,
    string? CopyStatement,
    string? Namespace,
    string? Tablespace,
    string? TableAccessMethod,
    int Relkind,
    string? Owner,
    string? WithOids,
    IReadOnlyList<int> Dependencies,
    ArchiveOffsetState OffsetState,
    long DataOffset)
{
    /// <summary>"TABLE DATA infinite-prod users (dump id 12)", for messages.</summary>
    public string Describe() => $"{Desc} {(Namespace is null ? "" : Namespace + " ")}{Tag} (dump id {DumpId})";
}
