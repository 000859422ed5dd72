using System.IO.Hashing;
using System.Threading.Channels;
using BackupCore.Archive;
using BackupCore.Compression;
using BackupCore.Copy;
using BackupCore.Writers;

namespace BackupCore.Pipeline;

/// <summary>
/// The consumer of a rewriting sink (the anonymizer): rewrites each chunk with the sink's <see cref="ICopyTextRewriter"/>;
/// while a segment's rows come back unchanged they are only held, and at the segment's end the shared compressed segment
/// (<see cref="SharedDeflater"/>) is passed on in their place. At the first change the held rows and everything after
/// them go through the sink's own compressor.
/// </summary>
internal static class RewriteSplicer
{
    public static async Task<SpliceResult> RunAsync(
        ChannelReader<PooledChunk> reader, IDumpSink sink, ChannelReader<CapturedSegment> shared, int level, CancellationToken cancellationToken)
    {
        var rewriter = sink.Capabilities.Rewriter ?? throw new InvalidOperationException("the sink does not rewrite rows");
        var crc = new Crc32();
        var adler = new System.IO.Hashing.Adler32();
        long length = 0;
        using var held = new CopyTextBuffer();
        await using var own = new SegmentedDeflater(new SinkOutput(sink), level);
        var changed = false;
        int segments = 0, reused = 0;

        async ValueTask EmitAsync(ReadOnlyMemory<byte> bytes, bool rewritten)
        {
            if (bytes.IsEmpty)
            {
                return;
            }

            crc.Append(bytes.Span);
            adler.Append(bytes.Span);
            length += bytes.Length;
            if (!changed && !rewritten)
            {
                held.Write(bytes.Span);
                return;
            }

            if (!changed)
            {
                changed = true;
                if (held.Length > 0)
                {
                    await own.WriteAsync(held.WrittenMemory, cancellationToken);
                    held.Clear();
                }
            }

            await own.WriteAsync(bytes, cancellationToken);
        }

        async ValueTask EndSegmentAsync(bool last)
        {
            var segment = await shared.ReadAsync(cancellationToken);
            try
            {
                if (changed)
                {
                    await own.EndSegmentAsync(last, cancellationToken);
                }
                else
                {
                    await sink.WriteDataAsync(segment.Memory, cancellationToken);
                    reused++;
                }
            }
            finally
            {
                segment.Dispose();
            }

            segments++;
            changed = false;
            held.Clear();
        }

        await foreach (var chunk in reader.ReadAllAsync(cancellationToken))
        {
            if (chunk.IsSegmentEnd)
            {
                await EndSegmentAsync(last: false);
                continue;
            }

            try
            {
                var output = rewriter.Rewrite(chunk.Memory, final: false, out var rewritten);
                await EmitAsync(output, rewritten);
            }
            finally
            {
                chunk.Release();
            }
        }

        var rest = rewriter.Rewrite(ReadOnlyMemory<byte>.Empty, final: true, out var restRewritten);
        await EmitAsync(rest, restRewritten);
        await EmitAsync(ArchiveFormat.CopyTerminator.ToArray(), rewritten: false);
        await EndSegmentAsync(last: true);
        return new SpliceResult(new DeflatedChecksums(crc.GetCurrentHashAsUInt32(), adler.GetCurrentHashAsUInt32(), length), segments, reused);
    }

    /// <summary>The sink's own compressed output, passed to the sink.</summary>
    private sealed class SinkOutput(IDumpSink sink) : WriteOnlyStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            sink.WriteDataAsync(buffer, cancellationToken);
    }
}

/// <summary>What a rewriting sink's consumer wrote: the checksums of its DEFLATE stream, and how many of the shared segments it took.</summary>
internal readonly record struct SpliceResult(DeflatedChecksums Checksums, int Segments, int Reused);
