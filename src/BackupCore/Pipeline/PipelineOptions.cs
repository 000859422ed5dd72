namespace BackupCore.Pipeline;

/// <summary>How one table's data is moved from the COPY stream to the sinks (<see cref="TableDataPipeline"/>).</summary>
public sealed record PipelineOptions
{
    /// <summary>The default <see cref="SegmentSize"/>: 1 MiB.</summary>
    public const int DefaultSegmentSize = 1024 * 1024;

    /// <summary>Threads compressing a table's segments at once; 0 = one per processor, at most 4.</summary>
    public int Workers { get; init; }

    /// <summary>
    /// COPY bytes per DEFLATE segment (cut at the first row end at or after this many bytes). Each segment restarts the
    /// compressor's history, which costs well under 0.1 % of size at 1 MiB; in exchange segments compress on several
    /// cores, and a rewriting sink holds back at most one segment while it does not yet know whether the segment stays
    /// unchanged. The cut points, and so the artifacts' bytes, depend on it.
    /// </summary>
    public int SegmentSize { get; init; } = DefaultSegmentSize;

    /// <summary>
    /// Every sink gets the COPY text on the reading thread and compresses on its own: the one-thread path, kept to
    /// measure what the pipeline gains (<c>Backup:Pipeline</c> <c>Serial</c>, scripts/benchmark's <c>ib-serial</c>).
    /// </summary>
    public bool Serial { get; init; }

    /// <summary>Compression threads in use: <see cref="Workers"/>, or one per processor up to 4.</summary>
    public int EffectiveWorkers => Workers > 0 ? Workers : Math.Clamp(Environment.ProcessorCount, 1, 4);
}
