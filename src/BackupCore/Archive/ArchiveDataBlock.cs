namespace BackupCore.Archive;

/// <summary>One data block as walked and inflated by <see cref="ArchiveReader"/>.</summary>
/// <param name="DumpId">The TOC entry it belongs to.</param>
/// <param name="FileOffset">Absolute position of its type byte.</param>
/// <param name="Length">Bytes of the whole block in the file.</param>
/// <param name="Chunks">Number of chunks.</param>
/// <param name="StoredBytes">Chunk payload bytes (compressed size when compressed).</param>
/// <param name="CopyBytes">Inflated COPY text bytes, without the trailing <c>\.</c> terminator.</param>
/// <param name="Rows">Lines of COPY text (rows), without the terminator.</param>
/// <param name="Sha256">SHA-256 (lowercase hex) of those <paramref name="CopyBytes"/> bytes.</param>
/// <param name="EndsWithCopyTerminator">The text ended with <c>\.\n\n\n</c> as pg_dump writes it.</param>
public sealed record ArchiveDataBlock(
    int DumpId,
    long FileOffset,
    long Length,
    int Chunks,
    long StoredBytes,
    long CopyBytes,
    long Rows,
    string Sha256,
    bool EndsWithCopyTerminator);
