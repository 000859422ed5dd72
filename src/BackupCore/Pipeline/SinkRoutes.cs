using BackupCore.Writers;

namespace BackupCore.Pipeline;

/// <summary>
/// Which sink gets a table's data in which form, decided once per run from each sink's <see cref="SinkCapabilities"/>:
/// the sinks that take DEFLATE at one level share one compression of each table (<see cref="SharedDeflater"/>); a sink
/// that rewrites rows at that level takes the shared segments of the rows it left unchanged (<see cref="RewriteSplicer"/>);
/// every other sink gets the COPY text (<see cref="CopyTextFeeder"/>). The serial path gives every sink the COPY text.
/// </summary>
internal sealed record SinkRoutes(int DeflateLevel, IReadOnlyList<IDumpSink> Deflated, IReadOnlyList<IDumpSink> Rewriting, IReadOnlyList<IDumpSink> Fed)
{
    public static SinkRoutes For(IReadOnlyList<IDumpSink> sinks, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Serial)
        {
            return new SinkRoutes(0, [], [], sinks);
        }

        // The first sink that takes DEFLATE sets the level (every artifact of a run is written at one level).
        var level = sinks.Where(s => s.Capabilities.Rewriter is null).Select(s => s.Capabilities.DeflateLevel).FirstOrDefault(l => l > 0);
        List<IDumpSink> deflated = level == 0 ? [] : [.. sinks.Where(s => s.Capabilities.Rewriter is null && s.Capabilities.DeflateLevel == level)];
        List<IDumpSink> rewriting = deflated.Count == 0 ? [] : [.. sinks.Where(s => s.Capabilities.Rewriter is not null && s.Capabilities.DeflateLevel == level)];
        var fed = sinks.Where(s => !deflated.Contains(s) && !rewriting.Contains(s)).ToList();
        return new SinkRoutes(level, deflated, rewriting, fed);
    }

    /// <summary>Whether the table is cut into DEFLATE segments (only when some sink takes the shared compression).</summary>
    public bool Segmented => Deflated.Count > 0;
}
