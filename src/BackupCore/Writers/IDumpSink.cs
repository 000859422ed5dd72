using BackupCore.Plan;

namespace BackupCore.Writers;

/// <summary>
/// An output format, in the shape of pg_dump's archiver (pg_backup_archiver.h: <c>ArchiveEntry</c>,
/// <c>StartData</c>/<c>WriteData</c>/<c>EndData</c>, <c>StartBlobs</c>/<c>StartBlob</c>/<c>EndBlob</c>/<c>EndBlobs</c>,
/// <c>Close</c>). The runner calls, in this order: <see cref="BeginAsync"/> once with the whole plan; then for each entry
/// of <see cref="DumpPlan.Entries"/> in order either <see cref="WriteEntryAsync"/> (entries without data), or
/// <see cref="StartDataAsync"/>, any number of <see cref="WriteDataAsync"/>, <see cref="EndDataAsync"/> (TABLE DATA), or
/// <see cref="StartLargeObjectsAsync"/>, per large object <see cref="StartLargeObjectAsync"/>, any number of
/// <see cref="WriteLargeObjectAsync"/>, <see cref="EndLargeObjectAsync"/>, then <see cref="EndLargeObjectsAsync"/> (the
/// BLOBS entry); then <see cref="CompleteAsync"/>. In which <see cref="TableDataForm"/> a table's data arrives is the
/// pipeline's choice, made from <see cref="Capabilities"/> (Pipeline/SinkRoutes). A sink whose run fails is disposed
/// without <see cref="CompleteAsync"/>: it must then leave nothing that looks like a finished artifact.
/// </summary>
public interface IDumpSink : IAsyncDisposable
{
    /// <summary>What table data the sink can take; fixed when the sink is made.</summary>
    SinkCapabilities Capabilities { get; }

    /// <summary>Starts the artifact: headers, and for plain SQL with --clean the DROP block.</summary>
    ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken);

    /// <summary>An entry that carries no data (DDL, comments, sequence values, ...).</summary>
    ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken);

    /// <summary>A TABLE DATA entry starts; its data follows in <paramref name="form"/>.</summary>
    ValueTask StartDataAsync(DumpEntry entry, TableDataForm form, CancellationToken cancellationToken);

    /// <summary>
    /// The next bytes of the table's data in the form <see cref="StartDataAsync"/> named: COPY text exactly as the server
    /// sent it (arbitrary slices: a row or an escape may be split between two calls), or raw DEFLATE bytes. The memory is
    /// only valid during the call.
    /// </summary>
    ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// The table's data ended normally. <paramref name="deflated"/> describes the bytes inside the DEFLATE stream (COPY
    /// text and the end-of-data marker) when the data came deflated, else it is null and the marker is the sink's to write.
    /// </summary>
    ValueTask EndDataAsync(TableDataStats stats, DeflatedChecksums? deflated, CancellationToken cancellationToken);

    /// <summary>The BLOBS entry (the one whose <see cref="DumpEntry.LargeObjects"/> is set) starts.</summary>
    ValueTask StartLargeObjectsAsync(DumpEntry entry, CancellationToken cancellationToken);

    ValueTask StartLargeObjectAsync(uint oid, CancellationToken cancellationToken);

    /// <summary>The next bytes of the large object's contents; valid only during the call.</summary>
    ValueTask WriteLargeObjectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    ValueTask EndLargeObjectAsync(CancellationToken cancellationToken);

    ValueTask EndLargeObjectsAsync(CancellationToken cancellationToken);

    /// <summary>Writes trailers and flushes. After this the artifact is complete.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>What the runner counted for one table's COPY stream.</summary>
public sealed record TableDataStats(string Schema, string Table, long Rows, long Bytes);
