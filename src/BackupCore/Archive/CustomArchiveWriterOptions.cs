namespace BackupCore.Archive;

/// <summary>Settings of the custom-format archive writer.</summary>
public sealed record CustomArchiveWriterOptions
{
    /// <summary>
    /// zlib level of the data blocks: -1 = zlib's default (what <c>pg_dump -Fc</c> writes), 0 = uncompressed,
    /// 1..9 = that level. Archive version 1.14 stores this number in its header.
    /// </summary>
    public int CompressionLevel { get; init; } = ArchiveFormat.CompressionDefault;

    /// <summary>Written as the "Dumped by pg_dump version" string of the header.</summary>
    public string DumperVersion { get; init; } = "InfiniteBackup " + (typeof(CustomArchiveWriterOptions).Assembly.GetName().Version?.ToString(3) ?? "0");

    /// <summary>
    /// Largest chunk of a data block. pg_dump uses 4 KiB; any size below 2^31 reads back, bigger chunks cost fewer
    /// 5-byte length prefixes.
    /// </summary>
    public int ChunkSize { get; init; } = 1 << 16;

    internal void Validate()
    {
        if (CompressionLevel is < -1 or > 9)
        {
            throw new BackupException($"archive compression level {CompressionLevel}: must be -1 (default), 0 (none) or 1..9");
        }

        if (ChunkSize is < 1 or > (1 << 30))
        {
            throw new BackupException($"archive chunk size {ChunkSize}: must be between 1 and 2^30");
        }
    }
}
