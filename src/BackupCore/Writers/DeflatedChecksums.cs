namespace BackupCore.Writers;

/// <summary>CRC-32 (gzip), Adler-32 (zlib) and length of the uncompressed bytes inside one DEFLATE stream.</summary>
public readonly record struct DeflatedChecksums(uint Crc32, uint Adler32, long UncompressedLength);
