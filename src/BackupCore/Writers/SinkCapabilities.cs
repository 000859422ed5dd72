namespace BackupCore.Writers;

/// <summary>
/// What table data a sink can take, declared once by the sink when it is made. Every sink takes COPY text; the
/// pipeline (Pipeline/SinkRoutes) decides from these which sinks share one DEFLATE of each table.
/// </summary>
public sealed record SinkCapabilities
{
    /// <summary>COPY text only.</summary>
    public static SinkCapabilities CopyTextOnly { get; } = new();

    /// <summary>
    /// The level the sink compresses table data at when it also takes it as raw DEFLATE bytes (a gzip member, a zlib
    /// block), adding only its own framing; 0: it takes COPY text only. The pipeline shares DEFLATE bytes between sinks
    /// of one level.
    /// </summary>
    public int DeflateLevel { get; init; }

    /// <summary>
    /// Set when the sink changes rows before they are compressed (the anonymizer): the pipeline then gives it, segment
    /// by segment, the shared DEFLATE bytes of the rows it left unchanged, and compresses only the rest again.
    /// </summary>
    public ICopyTextRewriter? Rewriter { get; init; }
}
