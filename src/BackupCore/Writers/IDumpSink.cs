using BackupCore.Plan;

namespace BackupCore.Writers;

/// <summary>
/// An output format fed by the backup runner. The runner calls, in this order:
/// <see cref="BeginAsync"/> once with the whole plan; then for each entry of
/// <see cref="DumpPlan.Entries"/> in order either <see cref="WriteEntryAsync"/> (entries without
/// data) or <see cref="BeginTableDataAsync"/>, any number of <see cref="WriteTableDataAsync"/>,
/// <see cref="EndTableDataAsync"/> (TABLE DATA entries); then <see cref="CompleteAsync"/>.
/// A sink whose run fails is disposed without <see cref="CompleteAsync"/>: it must then leave
/// nothing that looks like a finished artifact.
/// </summary>
public interface IDumpSink : IAsyncDisposable
{
    /// <summary>Starts the artifact: headers, and for plain SQL with --clean the DROP block.</summary>
    ValueTask BeginAsync(DumpPlan plan, CancellationToken cancellationToken);

    /// <summary>An entry that carries no table data (DDL, comments, sequence values, ...).</summary>
    ValueTask WriteEntryAsync(DumpEntry entry, CancellationToken cancellationToken);

    /// <summary>A TABLE DATA entry starts; COPY text follows.</summary>
    ValueTask BeginTableDataAsync(DumpEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// The next bytes of the table's COPY text, exactly as the server sent them (text format, database
    /// encoding). Chunks are arbitrary slices: a row or an escape may be split between two calls.
    /// The memory is only valid during the call.
    /// </summary>
    ValueTask WriteTableDataAsync(ReadOnlyMemory<byte> copyText, CancellationToken cancellationToken);

    /// <summary>The table's COPY stream ended normally (the end-of-data marker is the sink's to write).</summary>
    ValueTask EndTableDataAsync(TableDataStats stats, CancellationToken cancellationToken);

    /// <summary>Writes trailers and flushes. After this the artifact is complete.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>What the runner counted for one table's COPY stream.</summary>
public sealed record TableDataStats(string Schema, string Table, long Rows, long Bytes);
