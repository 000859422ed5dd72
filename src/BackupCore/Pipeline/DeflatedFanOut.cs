using System.Threading.Channels;
using BackupCore.Copy;
using BackupCore.Writers;

namespace BackupCore.Pipeline;

/// <summary>The shared compressor's output, passed to every sink that shares it and, per segment, captured for the rewriting sinks.</summary>
internal sealed class DeflatedFanOut(IReadOnlyList<IDumpSink> sinks, bool capture) : WriteOnlyStream
{
    private CopyTextBuffer? _segment = capture ? new CopyTextBuffer() : null;

    public bool Discard { get; set; }

    /// <summary>Hands the bytes captured since the last call to every rewriting sink's channel.</summary>
    public void PublishSegment(IReadOnlyList<Channel<CapturedSegment>> captures)
    {
        if (_segment is null)
        {
            return;
        }

        var segment = new CapturedSegment(_segment, captures.Count);
        _segment = new CopyTextBuffer();
        foreach (var channel in captures)
        {
            // Unbounded: the reader's bounded queues already keep this at most a segment or two ahead.
            channel.Writer.TryWrite(segment);
        }
    }

    public void DropCapture()
    {
        _segment?.Dispose();
        _segment = null;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Discard)
        {
            return;
        }

        _segment?.Write(buffer.Span);
        foreach (var sink in sinks)
        {
            await sink.WriteDataAsync(buffer, cancellationToken);
        }
    }
}
