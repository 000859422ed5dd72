using System.IO.Hashing;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using BackupCore.Archive;
using BackupCore.Compression;
using BackupCore.Copy;
using BackupCore.Writers;

namespace BackupCore.Pipeline;

/// <summary>
/// The consumer that compresses a table once for every sink that takes DEFLATE (the plain artifact's gzip member and the
/// archive's zlib block hold the same bytes): segments are independent, so <c>workers</c> of them are compressed at once
/// (as pigz does), and a writer task passes them on in order as each one is done, capturing each segment for the
/// rewriting sinks. Each segment in flight holds ~1 MiB of chunks.
/// </summary>
internal sealed class SharedDeflater(IReadOnlyList<IDumpSink> sinks, int level, IReadOnlyList<Channel<CapturedSegment>> captures, int workers)
{
    /// <summary>Deflates the queue's chunks plus the end-of-data marker; returns the checksums of what it deflated.</summary>
    public async Task<DeflatedChecksums> RunAsync(ChannelReader<PooledChunk> reader, CancellationToken cancellationToken)
    {
        var crc = new Crc32();
        var adler = new System.IO.Hashing.Adler32();
        long length = 0;
        var fanOut = new DeflatedFanOut(sinks, captures.Count > 0);
        var segment = new List<PooledChunk>();

        // A rewriting sink waiting for a shared segment never waits on the reader: the writer runs on its own.
        using var writerFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ordered = Channel.CreateBounded<Task<CopyTextBuffer>>(new BoundedChannelOptions(workers) { SingleReader = true, SingleWriter = true });
        var writing = WriteInOrderAsync(ordered.Reader, fanOut, writerFailed, cancellationToken);

        async ValueTask EndSegmentAsync(bool last)
        {
            var chunks = segment;
            segment = [];
            var compressing = Task.Run(() => CompressSegmentAsync(chunks, last, cancellationToken), CancellationToken.None);
            try
            {
                await ordered.Writer.WriteAsync(compressing, writerFailed.Token);
            }
            catch
            {
                DisposeWhenDone(compressing);
                throw;
            }
        }

        try
        {
            await foreach (var chunk in reader.ReadAllAsync(writerFailed.Token))
            {
                if (chunk.IsSegmentEnd)
                {
                    await EndSegmentAsync(last: false);
                    continue;
                }

                var span = chunk.Span;
                crc.Append(span);
                adler.Append(span);
                length += span.Length;
                segment.Add(chunk);
            }

            // The end-of-data marker belongs to both artifacts' data (pg_restore and psql read up to it).
            var terminator = ArchiveFormat.CopyTerminator;
            crc.Append(terminator);
            adler.Append(terminator);
            length += terminator.Length;
            segment.Add(PooledChunk.Copy(terminator, 1));
            await EndSegmentAsync(last: true);
            ordered.Writer.Complete();
            await writing;
            foreach (var capture in captures)
            {
                capture.Writer.TryComplete();
            }
        }
        catch (Exception ex)
        {
            var error = await AbandonAsync(ex, fanOut, segment, ordered, writing, writerFailed);
            ExceptionDispatchInfo.Throw(error);
        }

        return new DeflatedChecksums(crc.GetCurrentHashAsUInt32(), adler.GetCurrentHashAsUInt32(), length);
    }

    /// <summary>After a failure: nothing more reaches the sinks (the table failed and its artifacts are abandoned); returns the error to report.</summary>
    private async Task<Exception> AbandonAsync(
        Exception ex, DeflatedFanOut fanOut, List<PooledChunk> segment, Channel<Task<CopyTextBuffer>> ordered, Task writing, CancellationTokenSource writerFailed)
    {
        fanOut.Discard = true;
        foreach (var chunk in segment)
        {
            chunk.Release();
        }

        ordered.Writer.TryComplete();
        await writerFailed.CancelAsync();
        var error = ex;
        try
        {
            await writing;
        }
        catch (Exception writeError) when (ex is OperationCanceledException && writeError is not OperationCanceledException)
        {
            // The writer failed (a sink's write) and cancelled the read: its error is the one to report.
            error = writeError;
        }
        catch (Exception)
        {
            // Already failing: the first error is the one to report.
        }

        while (ordered.Reader.TryRead(out var left))
        {
            DisposeWhenDone(left);
        }

        fanOut.DropCapture();
        foreach (var capture in captures)
        {
            capture.Writer.TryComplete(error);
        }

        return error;
    }

    /// <summary>Writes the compressed segments in order, each as soon as it (and every one before it) is done.</summary>
    private async Task WriteInOrderAsync(ChannelReader<Task<CopyTextBuffer>> segments, DeflatedFanOut fanOut, CancellationTokenSource failed, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var compressing in segments.ReadAllAsync(cancellationToken))
            {
                using var compressed = await compressing;
                await fanOut.WriteAsync(compressed.WrittenMemory, cancellationToken);
                fanOut.PublishSegment(captures);
            }
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }

    private static void DisposeWhenDone(Task<CopyTextBuffer> compressing) =>
        _ = compressing.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    /// <summary>Compresses one segment on its own (fresh history, sync flush unless last) and releases its chunks.</summary>
    private async Task<CopyTextBuffer> CompressSegmentAsync(List<PooledChunk> chunks, bool last, CancellationToken cancellationToken)
    {
        var output = new CopyTextBuffer(256 * 1024);
        try
        {
            await using (var deflater = new SegmentedDeflater(new BufferWriterStream(output), level))
            {
                foreach (var chunk in chunks)
                {
                    await deflater.WriteAsync(chunk.Memory, cancellationToken);
                }

                await deflater.EndSegmentAsync(last, cancellationToken);
            }

            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
        finally
        {
            foreach (var chunk in chunks)
            {
                chunk.Release();
            }
        }
    }

    /// <summary>A compressor's output collected in a pooled buffer.</summary>
    private sealed class BufferWriterStream(CopyTextBuffer buffer) : WriteOnlyStream
    {
        public override void Write(ReadOnlySpan<byte> data) => buffer.Write(data);

        public override void Write(byte[] data, int offset, int count) => buffer.Write(data.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            buffer.Write(data.Span);
            return ValueTask.CompletedTask;
        }
    }
}
