namespace BackupCore.Writers;

/// <summary>How one table's data reaches a sink (<see cref="IDumpSink.StartDataAsync"/>); chosen per run from <see cref="SinkCapabilities"/>.</summary>
public enum TableDataForm
{
    /// <summary>The COPY text, as the server sent it.</summary>
    CopyText,

    /// <summary>
    /// Raw DEFLATE (RFC 1951) of the COPY text and the end-of-data marker <c>\.</c> (for a sink with a
    /// <see cref="SinkCapabilities.Rewriter"/>: of its rewritten rows), at the sink's <see cref="SinkCapabilities.DeflateLevel"/>.
    /// </summary>
    Deflated,
}
