using System.IO.Compression;
using BackupCore.Writers;

namespace BackupCore.Compression;

/// <summary>
/// Raw DEFLATE (RFC 1951) written as a run of independently compressed segments. Each segment starts
/// with an empty history and, unless it is the last, ends with a sync flush: the output is then byte
/// aligned behind an empty stored block (RFC 1951 §3.2.4) and no block so far carries the BFINAL bit.
/// Only the last segment is finished. A decoder reads the concatenation as one stream whoever wrote each
/// segment, so streams can be spliced segment by segment: <c>NAME.anon.gz</c> takes the shared compressed
/// bytes of every stretch of rows the anonymizer left unchanged and compresses only what it changed.
/// </summary>
public sealed class SegmentedDeflater : IAsyncDisposable
{
    private readonly DiscardableStream _output;
    private readonly int _level;
    private DeflateStream? _segment;

    public SegmentedDeflater(Stream output, int compressionLevel)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = new DiscardableStream(output);
        _level = compressionLevel;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _segment ??= NewSegment();
        return _segment.WriteAsync(data, cancellationToken);
    }

    /// <summary>
    /// Ends the open segment: the last one with the final block (Z_FINISH); any other one with a sync
    /// flush, dropping the final block that disposing the compressor would add. An empty non-last
    /// segment emits nothing.
    /// </summary>
    public async ValueTask EndSegmentAsync(bool last, CancellationToken cancellationToken)
    {
        if (last)
        {
            var final = _segment ?? NewSegment();
            _segment = null;
            await final.DisposeAsync().ConfigureAwait(false);
            return;
        }

        if (_segment is null)
        {
            return;
        }

        var segment = _segment;
        _segment = null;
        await segment.FlushAsync(cancellationToken).ConfigureAwait(false);
        await DisposeDiscardingAsync(segment).ConfigureAwait(false);
    }

    /// <summary>Drops the open segment without writing anything more (the stream is abandoned).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_segment is { } segment)
        {
            _segment = null;
            await DisposeDiscardingAsync(segment).ConfigureAwait(false);
        }
    }

    private DeflateStream NewSegment() =>
        new(_output, new ZLibCompressionOptions { CompressionLevel = _level }, leaveOpen: true);

    private async ValueTask DisposeDiscardingAsync(DeflateStream segment)
    {
        _output.Discard = true;
        try
        {
            await segment.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _output.Discard = false;
        }
    }

    /// <summary>Passes writes on, except while <see cref="Discard"/> is set.</summary>
    private sealed class DiscardableStream(Stream inner) : WriteOnlyStream
    {
        public bool Discard { get; set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            Discard ? ValueTask.CompletedTask : inner.WriteAsync(buffer, cancellationToken);

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!Discard)
            {
                inner.Write(buffer);
            }
        }
    }
}
