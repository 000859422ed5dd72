using BackupCore.Plan;

namespace BackupCore.Writers;

/// <summary>
/// A sink that can take a table's data already compressed: the runner deflates the COPY text plus the
/// end-of-data marker <c>\.</c> once (raw DEFLATE, RFC 1951) and hands the same bytes to every such sink,
/// which only adds its own framing (a gzip member in <c>NAME.gz</c>, a zlib stream in the archive block).
/// Called instead of <see cref="IDumpSink.BeginTableDataAsync"/> / <see cref="IDumpSink.WriteTableDataAsync"/> /
/// <see cref="IDumpSink.EndTableDataAsync"/>, in the same place of the entry order.
/// </summary>
public interface IDeflatedTableDataSink
{
    /// <summary>The level the sink compresses at; the runner shares DEFLATE bytes only between sinks of one level, and never at level 0.</summary>
    int DeflateLevel { get; }

    /// <summary>A TABLE DATA entry starts; raw DEFLATE bytes follow.</summary>
    ValueTask BeginDeflatedTableDataAsync(DumpEntry entry, CancellationToken cancellationToken);

    /// <summary>The next bytes of the DEFLATE stream; valid only during the call.</summary>
    ValueTask WriteDeflatedAsync(ReadOnlyMemory<byte> deflate, CancellationToken cancellationToken);

    /// <summary>The DEFLATE stream is complete; <paramref name="checksums"/> describe the bytes it holds.</summary>
    ValueTask EndDeflatedTableDataAsync(TableDataStats stats, DeflatedChecksums checksums, CancellationToken cancellationToken);
}

/// <summary>CRC-32 (gzip), Adler-32 (zlib) and length of the uncompressed bytes inside one DEFLATE stream.</summary>
public readonly record struct DeflatedChecksums(uint Crc32, uint Adler32, long UncompressedLength);
