namespace BackupCore.Archive;

/// <summary>What <see cref="ArchiveReader"/> found in an archive, all checked.</summary>
/// <param name="Header">The header.</param>
/// <param name="Entries">TOC entries in file order.</param>
/// <param name="DataBlocks">Data blocks in file order.</param>
/// <param name="DataStart">Offset of the first byte after the TOC.</param>
/// <param name="Length">Total bytes read.</param>
public sealed record ArchiveContents(
    ArchiveHeader Header,
    IReadOnlyList<ArchiveEntry> Entries,
    IReadOnlyList<ArchiveDataBlock> DataBlocks,
    long DataStart,
    long Length);
