using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using System.Threading.Channels;
using BackupCore.Archive;
using BackupCore.Copy;
using BackupCore.Plan;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Running;

/// <summary>
/// One table's data, read once and written to every sink with the CPU work spread over threads:
/// the COPY stream is read on the caller's task; one consumer deflates it once for all
/// <see cref="IDeflatedTableDataSink"/>s (the plain artifact's gzip member and the archive's zlib block
/// hold the same DEFLATE bytes), another feeds the remaining sinks (the anonymizer and its own gzip).
/// Chunks are pooled and the queues bounded, so memory does not grow with the table.
/// </summary>
internal static class TableDataPipeline
{
    private const int ChunkSize = 128 * 1024;

    // 8 × 128 KiB per consumer: enough to ride out a slow write, small against the memory target.
    private const int QueueDepth = 8;

    public static async Task<TableDataStats> RunAsync(
        NpgsqlConnection connection,
        DumpEntry entry,
        IReadOnlyList<IDeflatedTableDataSink> deflated,
        int deflateLevel,
        IReadOnlyList<IDumpSink> chunked,
        CancellationToken cancellationToken)
    {
        var data = entry.Data!;
        foreach (var sink in deflated)
        {
            await sink.BeginDeflatedTableDataAsync(entry, cancellationToken);
        }

        foreach (var sink in chunked)
        {
            await sink.BeginTableDataAsync(entry, cancellationToken);
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queues = new List<Channel<Chunk>>();
        var consumers = new List<Task>();
        Task<DeflatedChecksums>? deflating = null;
        if (deflated.Count > 0)
        {
            var queue = NewQueue();
            queues.Add(queue);
            deflating = Guard(() => DeflateAsync(queue.Reader, deflated, deflateLevel, failed.Token), failed);
            consumers.Add(deflating);
        }

        if (chunked.Count > 0)
        {
            var queue = NewQueue();
            queues.Add(queue);
            consumers.Add(Guard(() => FeedAsync(queue.Reader, chunked, failed.Token), failed));
        }

        long rows = 0, bytes = 0;
        var lastByte = (byte)'\n';
        Exception? readError = null;
        try
        {
            (rows, bytes) = await TableCopyReader.CopyAsync(
                connection,
                data,
                async (memory, ct) =>
                {
                    lastByte = memory.Span[^1];
                    var chunk = Chunk.Copy(memory.Span, queues.Count);
                    foreach (var queue in queues)
                    {
                        await queue.Writer.WriteAsync(chunk, ct);
                    }
                },
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

        foreach (var sink in chunked)
        {
            await sink.EndTableDataAsync(stats, cancellationToken);
        }

        return stats;
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

    private static async Task<DeflatedChecksums> DeflateAsync(ChannelReader<Chunk> reader, IReadOnlyList<IDeflatedTableDataSink> sinks, int level, CancellationToken cancellationToken)
    {
        var crc = new Crc32();
        var adler = new System.IO.Hashing.Adler32();
        long length = 0;
        var fanOut = new DeflatedFanOut(sinks);
        var deflate = new DeflateStream(fanOut, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true);
        try
        {
            await foreach (var chunk in reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    var span = chunk.Span;
                    crc.Append(span);
                    adler.Append(span);
                    length += span.Length;
                    await deflate.WriteAsync(chunk.Memory, cancellationToken);
                }
                finally
                {
                    chunk.Release();
                }
            }

            // The end-of-data marker belongs to both artifacts' data (pg_restore and psql read up to it).
            var terminator = ArchiveFormat.CopyTerminator;
            crc.Append(terminator);
            adler.Append(terminator);
            length += terminator.Length;
            await deflate.WriteAsync(terminator.ToArray(), cancellationToken);

            // Disposing is what writes the final DEFLATE block (Z_FINISH).
            await deflate.DisposeAsync();
        }
        catch
        {
            // Nothing more may reach the sinks: the table failed and its artifacts are abandoned.
            fanOut.Discard = true;
            await deflate.DisposeAsync();
            throw;
        }

        return new DeflatedChecksums(crc.GetCurrentHashAsUInt32(), adler.GetCurrentHashAsUInt32(), length);
    }

    private static async Task<bool> FeedAsync(ChannelReader<Chunk> reader, IReadOnlyList<IDumpSink> sinks, CancellationToken cancellationToken)
    {
        await foreach (var chunk in reader.ReadAllAsync(cancellationToken))
        {
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

        return true;
    }

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
            if (Interlocked.Decrement(ref _owners) == 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
        }
    }

    /// <summary>The DeflateStream's output, passed to every sink that shares it.</summary>
    private sealed class DeflatedFanOut(IReadOnlyList<IDeflatedTableDataSink> sinks) : Stream
    {
        public bool Discard { get; set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Discard)
            {
                return;
            }

            foreach (var sink in sinks)
            {
                await sink.WriteDeflatedAsync(buffer, cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
