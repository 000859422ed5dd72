namespace BackupCore.Archive;

/// <summary>One finished data block in the spool file.</summary>
/// <param name="DumpId">The TABLE DATA entry it belongs to.</param>
/// <param name="SpoolOffset">Position of the block's type byte in the spool file; in the archive it moves up by
/// the header and TOC length.</param>
/// <param name="Length">Bytes of the whole block: type byte, id, chunks, end marker.</param>
/// <param name="CopyBytes">COPY text bytes fed in (without the terminator the writer appends).</param>
/// <param name="StoredBytes">Chunk payload bytes (compressed, or equal to the text when uncompressed).</param>
public sealed record SpooledDataBlock(int DumpId, long SpoolOffset, long Length, long CopyBytes, long StoredBytes);
