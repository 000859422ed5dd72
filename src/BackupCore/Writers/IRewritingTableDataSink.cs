using BackupCore.Plan;

namespace BackupCore.Writers;

/// <summary>
/// A sink that rewrites COPY text (the anonymizer) and whose output takes raw DEFLATE like an
/// <see cref="IDeflatedTableDataSink"/>. The runner then deflates the table once in segments
/// (<see cref="Compression.SegmentedDeflater"/>): for every segment of rows the sink left unchanged it
/// receives the shared compressed bytes, and only the segments it changed are compressed a second time.
/// Called instead of <see cref="IDumpSink.BeginTableDataAsync"/> / <see cref="IDumpSink.WriteTableDataAsync"/> /
/// <see cref="IDumpSink.EndTableDataAsync"/>, in the same place of the entry order.
/// </summary>
public interface IRewritingTableDataSink : IDumpSink
{
    /// <summary>The level its output is compressed at; 0 when it cannot take DEFLATE bytes.</summary>
    int DeflateLevel { get; }

    /// <summary>A TABLE DATA entry starts.</summary>
    ValueTask BeginRewrittenTableDataAsync(DumpEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Rewrites the next COPY bytes (arbitrary slices, as <see cref="IDumpSink.WriteTableDataAsync"/>) and
    /// returns the rewritten complete rows; a partial row is held back until its end arrives, and
    /// <paramref name="final"/> releases it. <paramref name="changed"/> is false only when the returned bytes
    /// equal the input rows byte for byte. The returned memory is valid until the next call.
    /// </summary>
    ReadOnlyMemory<byte> Rewrite(ReadOnlyMemory<byte> copyText, bool final, out bool changed);

    /// <summary>The next bytes of the table's DEFLATE stream (rewritten rows plus the end-of-data marker).</summary>
    ValueTask WriteDeflatedAsync(ReadOnlyMemory<byte> deflate, CancellationToken cancellationToken);

    /// <summary>The DEFLATE stream is complete; <paramref name="checksums"/> describe the rewritten bytes it holds.</summary>
    ValueTask EndRewrittenTableDataAsync(TableDataStats stats, DeflatedChecksums checksums, CancellationToken cancellationToken);
}
