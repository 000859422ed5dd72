using System.Buffers;
using System.IO.Hashing;
using System.Threading.Channels;
using BackupCore.Archive;
using BackupCore.Compression;
using BackupCore.Copy;
using BackupCore.Plan;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Running;

/// <summary>
/// One table's data, read once and written to every sink with the CPU work spread over threads:
/// the COPY stream is read on the caller's task; one consumer deflates it once, segment by segment on
/// several cores (<see cref="BackupJob.Workers"/>), for all <see cref="IDeflatedTableDataSink"/>s (the plain artifact's gzip member
/// and the archive's zlib block hold the same DEFLATE bytes); each <see cref="IRewritingTableDataSink"/> (the anonymizer) rewrites the
/// rows on its own consumer and, segment by segment, either takes the shared compressed bytes (rows it
/// left unchanged) or compresses its own; any other sink gets the COPY text on one more consumer.
/// Chunks are pooled and the queues bounded, so memory does not grow with the table.
/// </summary>
/// <summary>What the pipeline counted; <see cref="Segments"/> is 0 unless a rewriting sink shared the compression.</summary>
internal sealed record TablePipelineResult(TableDataStats Stats, int Segments, int SegmentsReused);

internal static class TableDataPipeline
{
    private const int ChunkSize = 128 * 1024;

    // 8 × 128 KiB per consumer: enough to ride out a slow write, small against the memory target.
    private const int QueueDepth = 8;

    /// <summary>
    /// COPY bytes per DEFLATE segment (cut at the first row end at or after this many bytes). Each segment restarts the compressor's history, which costs well under 0.1 % of size at
    /// 1 MiB; in exchange segments compress on several cores, and a rewriting sink holds back at most one
    /// segment while it does not yet know whether the segment stays unchanged. Tests lower it.
    /// </summary>
    internal static int SegmentSize { get; set; } = 1024 * 1024;

    public static async Task<TablePipelineResult> RunAsync(
        NpgsqlConnection connection,
        DumpEntry entry,
        IReadOnlyList<IDeflatedTableDataSink> deflated,
        int deflateLevel,
        IReadOnlyList<IDumpSink> chunked,
        int workers,
        Action<long, long>? progress,
        CancellationToken cancellationToken)
    {
        var data = entry.Data!;
        var rewriting = deflated.Count == 0
            ? []
            : chunked.OfType<IRewritingTableDataSink>().Where(s => s.DeflateLevel == deflateLevel).ToList();
        var fed = chunked.Where(s => s is not IRewritingTableDataSink r || !rewriting.Contains(r)).ToList();
        // Segments let the shared compression run on several cores and the rewriting sinks reuse it.
        var segmented = deflated.Count > 0;
        foreach (var sink in deflated)
        {
            await sink.BeginDeflatedTableDataAsync(entry, cancellationToken);
        }

        foreach (var sink in rewriting)
        {
            await sink.BeginRewrittenTableDataAsync(entry, cancellationToken);
        }

        foreach (var sink in fed)
        {
            await sink.BeginTableDataAsync(entry, cancellationToken);
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queues = new List<Channel<Chunk>>();
        var consumers = new List<Task>();
        var captures = rewriting.Select(_ => Channel.CreateUnbounded<CapturedSegment>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true })).ToList();
        Task<DeflatedChecksums>? deflating = null;
        if (deflated.Count > 0)
        {
            var queue = NewQueue();
            queues.Add(queue);
            var parallel = workers > 0 ? workers : Math.Clamp(Environment.ProcessorCount, 1, 4);
            deflating = Guard(() => DeflateAsync(queue.Reader, deflated, deflateLevel, captures, parallel, failed.Token), failed);
            consumers.Add(deflating);
        }

        var splicing = new List<Task<SpliceResult>>();
        for (var i = 0; i < rewriting.Count; i++)
        {
            var queue = NewQueue();
            queues.Add(queue);
            var (sink, capture) = (rewriting[i], captures[i].Reader);
            var task = Guard(() => SpliceAsync(queue.Reader, sink, capture, deflateLevel, failed.Token), failed);
            splicing.Add(task);
            consumers.Add(task);
        }

        if (fed.Count > 0)
        {
            var queue = NewQueue();
            queues.Add(queue);
            consumers.Add(Guard(() => FeedAsync(queue.Reader, fed, failed.Token), failed));
        }

        long rows = 0, bytes = 0, segmentBytes = 0;
        var lastByte = (byte)'\n';
        Exception? readError = null;
        async ValueTask PublishAsync(Chunk chunk, CancellationToken ct)
        {
            foreach (var queue in queues)
            {
                await queue.Writer.WriteAsync(chunk, ct);
            }
        }

        try
        {
            (rows, bytes) = await TableCopyReader.CopyAsync(
                connection,
                data,
                async (memory, ct) =>
                {
                    lastByte = memory.Span[^1];
                    var start = 0;
                    while (segmented)
                    {
                        // A segment ends at the first row end at or after SegmentSize bytes: cut points depend
                        // on the data only, not on how the network split it, so the artifacts are the same
                        // bytes every time the same data is backed up.
                        var threshold = start + (int)Math.Max(SegmentSize - segmentBytes, 0);
                        var newline = threshold < memory.Length ? memory.Span[threshold..].IndexOf((byte)'\n') : -1;
                        if (newline < 0)
                        {
                            break;
                        }

                        var cut = threshold + newline + 1;
                        await PublishAsync(Chunk.Copy(memory.Span[start..cut], queues.Count), ct);
                        await PublishAsync(Chunk.SegmentEnd, ct);
                        segmentBytes = 0;
                        start = cut;
                    }

                    if (start < memory.Length)
                    {
                        segmentBytes += memory.Length - start;
                        await PublishAsync(Chunk.Copy(memory.Span[start..], queues.Count), ct);
                    }
                },
                progress,
                failed.Token);
            if (bytes > 0 && lastByte != (byte)'\n')
            {
                throw new BackupException($"table {data.Schema}.{data.Table}: COPY data did not end with a newline (stream cut short?)");
            }
        }
        catch (Exception ex)
        {
            readError = ex;
            await failed.CancelAsync();
        }

        foreach (var queue in queues)
        {
            queue.Writer.TryComplete();
        }

        try
        {
            await Task.WhenAll(consumers);
        }
        catch (Exception) when (readError is not null && readError is not OperationCanceledException)
        {
            // The read failed first; the consumers only saw the cancellation it caused.
        }

        if (readError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readError);
        }

        var stats = new TableDataStats(data.Schema, data.Table, rows, bytes);
        var checksums = deflating is null ? default : await deflating;
        foreach (var sink in deflated)
        {
            await sink.EndDeflatedTableDataAsync(stats, checksums, cancellationToken);
        }

        int segments = 0, reused = 0;
        for (var i = 0; i < rewriting.Count; i++)
        {
            var spliced = await splicing[i];
            (segments, reused) = (spliced.Segments, spliced.Reused);
            await rewriting[i].EndRewrittenTableDataAsync(stats, spliced.Checksums, cancellationToken);
        }

        foreach (var sink in fed)
        {
            await sink.EndTableDataAsync(stats, cancellationToken);
        }

        return new TablePipelineResult(stats, segments, reused);
    }

    private static Channel<Chunk> NewQueue() =>
        Channel.CreateBounded<Chunk>(new BoundedChannelOptions(QueueDepth) { SingleReader = true, SingleWriter = true });

    /// <summary>A consumer that fails cancels the reader, which would otherwise wait on a full queue forever.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> consumer, CancellationTokenSource failed)
    {
        try
        {
            return await Task.Run(consumer, CancellationToken.None);
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }

    private static async Task<DeflatedChecksums> DeflateAsync(
        ChannelReader<Chunk> reader,
        IReadOnlyList<IDeflatedTableDataSink> sinks,
        int level,
        IReadOnlyList<Channel<CapturedSegment>> captures,
        int parallel,
        CancellationToken cancellationToken)
    {
        var crc = new Crc32();
        var adler = new System.IO.Hashing.Adler32();
        long length = 0;
        var fanOut = new DeflatedFanOut(sinks, captures.Count > 0);
        var segment = new List<Chunk>();

        // Segments are independent, so `parallel` of them are compressed at once (as pigz does); a writer
        // task passes them on in order as each one is done, so a rewriting sink waiting for a shared
        // segment never waits on the reader. Each segment in flight holds ~1 MiB of chunks.
        using var writerFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ordered = Channel.CreateBounded<Task<CopyTextBuffer>>(new BoundedChannelOptions(parallel) { SingleReader = true, SingleWriter = true });
        var writing = WriteInOrderAsync(ordered.Reader, fanOut, captures, writerFailed, cancellationToken);

        async ValueTask EndSegmentAsync(bool last)
        {
            var chunks = segment;
            segment = [];
            var compressing = Task.Run(() => CompressSegmentAsync(chunks, level, last, cancellationToken), CancellationToken.None);
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
            segment.Add(Chunk.Copy(terminator, 1));
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
            // Nothing more may reach the sinks: the table failed and its artifacts are abandoned.
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

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            throw;
        }

        return new DeflatedChecksums(crc.GetCurrentHashAsUInt32(), adler.GetCurrentHashAsUInt32(), length);
    }

    /// <summary>Writes the compressed segments in order, each as soon as it (and every one before it) is done.</summary>
    private static async Task WriteInOrderAsync(
        ChannelReader<Task<CopyTextBuffer>> segments,
        DeflatedFanOut fanOut,
        IReadOnlyList<Channel<CapturedSegment>> captures,
        CancellationTokenSource failed,
        CancellationToken cancellationToken)
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
    private static async Task<CopyTextBuffer> CompressSegmentAsync(List<Chunk> chunks, int level, bool last, CancellationToken cancellationToken)
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

    /// <summary>
    /// A rewriting sink's consumer: rewrites each chunk; while a segment's rows come back unchanged they
    /// are only held, and at the segment's end the shared compressed segment is passed on in their place.
    /// At the first change the held rows and everything after them go through the sink's own compressor.
    /// </summary>
    private static async Task<SpliceResult> SpliceAsync(
        ChannelReader<Chunk> reader,
        IRewritingTableDataSink sink,
        ChannelReader<CapturedSegment> shared,
        int level,
        CancellationToken cancellationToken)
    {
        var crc = new Crc32();
        var adler = new System.IO.Hashing.Adler32();
        long length = 0;
        using var held = new CopyTextBuffer();
        await using var own = new SegmentedDeflater(new RewrittenDeflateOutput(sink), level);
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
                    await sink.WriteDeflatedAsync(segment.Memory, cancellationToken);
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
                var output = sink.Rewrite(chunk.Memory, final: false, out var rewritten);
                await EmitAsync(output, rewritten);
            }
            finally
            {
                chunk.Release();
            }
        }

        var rest = sink.Rewrite(ReadOnlyMemory<byte>.Empty, final: true, out var restRewritten);
        await EmitAsync(rest, restRewritten);
        await EmitAsync(ArchiveFormat.CopyTerminator.ToArray(), rewritten: false);
        await EndSegmentAsync(last: true);
        return new SpliceResult(new DeflatedChecksums(crc.GetCurrentHashAsUInt32(), adler.GetCurrentHashAsUInt32(), length), segments, reused);
    }

    private static async Task<DeflatedChecksums> FeedAsync(ChannelReader<Chunk> reader, IReadOnlyList<IDumpSink> sinks, CancellationToken cancellationToken)
    {
        await foreach (var chunk in reader.ReadAllAsync(cancellationToken))
        {
            if (chunk.IsSegmentEnd)
            {
                continue;
            }

            try
            {
                foreach (var sink in sinks)
                {
                    await sink.WriteTableDataAsync(chunk.Memory, cancellationToken);
                }
            }
            finally
            {
                chunk.Release();
            }
        }

        return default;
    }

    private readonly record struct SpliceResult(DeflatedChecksums Checksums, int Segments, int Reused);

    /// <summary>A pooled copy of one COPY chunk, returned to the pool when every consumer is done with it.</summary>
    private sealed class Chunk
    {
        private readonly byte[] _buffer;
        private readonly int _length;
        private int _owners;

        private Chunk(byte[] buffer, int length, int owners)
        {
            _buffer = buffer;
            _length = length;
            _owners = owners;
        }

        /// <summary>Not data: the rows before it form one DEFLATE segment (see <see cref="SegmentSize"/>).</summary>
        public static Chunk SegmentEnd { get; } = new([], 0, int.MaxValue);

        public bool IsSegmentEnd => ReferenceEquals(this, SegmentEnd);

        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

        public static Chunk Copy(ReadOnlySpan<byte> data, int owners)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, ChunkSize));
            data.CopyTo(buffer);
            return new Chunk(buffer, data.Length, owners);
        }

        public void Release()
        {
            if (!IsSegmentEnd && Interlocked.Decrement(ref _owners) == 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
        }
    }

    /// <summary>One segment of the shared DEFLATE stream, kept for the rewriting sinks; disposing returns its buffer.</summary>
    private sealed class CapturedSegment(CopyTextBuffer bytes, int owners) : IDisposable
    {
        private int _owners = owners;

        public ReadOnlyMemory<byte> Memory => bytes.WrittenMemory;

        public void Dispose()
        {
            if (Interlocked.Decrement(ref _owners) == 0)
            {
                bytes.Dispose();
            }
        }
    }

    /// <summary>The shared compressor's output, passed to every sink that shares it and, per segment, captured for the rewriting sinks.</summary>
    private sealed class DeflatedFanOut(IReadOnlyList<IDeflatedTableDataSink> sinks, bool capture) : WriteOnlyStream
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
                await sink.WriteDeflatedAsync(buffer, cancellationToken);
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

    /// <summary>A rewriting sink's own compressed output, passed to the sink.</summary>
    private sealed class RewrittenDeflateOutput(IRewritingTableDataSink sink) : WriteOnlyStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            sink.WriteDeflatedAsync(buffer, cancellationToken);
    }
}
