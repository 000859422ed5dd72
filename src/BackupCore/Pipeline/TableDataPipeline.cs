using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using BackupCore.Copy;
using BackupCore.Plan;
using BackupCore.Writers;
using Npgsql;

namespace BackupCore.Pipeline;

/// <summary>
/// One table's data, read once and written to every sink with the CPU work spread over threads. The COPY stream is
/// read on the caller's task and cut into segments (<see cref="PipelineOptions.SegmentSize"/>); each consumer of
/// <see cref="SinkRoutes"/> reads its own bounded queue on a task of its own: <see cref="SharedDeflater"/> compresses
/// each segment once, on several cores, for every sink that takes DEFLATE; <see cref="RewriteSplicer"/> rewrites the
/// rows for a rewriting sink (the anonymizer) and reuses the shared segments it left unchanged; <see cref="CopyTextFeeder"/>
/// gives the COPY text to the rest. Chunks are pooled and the queues bounded, so memory does not grow with the table.
/// </summary>
internal static class TableDataPipeline
{
    // 8 × 128 KiB per consumer: enough to ride out a slow write, small against the memory target.
    private const int QueueDepth = 8;

    public static async Task<TablePipelineResult> RunAsync(
        NpgsqlConnection connection, DumpEntry entry, SinkRoutes routes, PipelineOptions options, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        var data = entry.Data!;
        if (options.Serial)
        {
            return new TablePipelineResult(await CopySeriallyAsync(connection, entry, routes.Fed, progress, cancellationToken), 0, 0);
        }

        await StartAsync(routes.Deflated, entry, TableDataForm.Deflated, cancellationToken);
        await StartAsync(routes.Rewriting, entry, TableDataForm.Deflated, cancellationToken);
        await StartAsync(routes.Fed, entry, TableDataForm.CopyText, cancellationToken);

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queues = new List<Channel<PooledChunk>>();
        var consumers = new List<Task>();
        var captures = routes.Rewriting.Select(_ => Channel.CreateUnbounded<CapturedSegment>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true })).ToList();
        Task<DeflatedChecksums>? deflating = null;
        if (routes.Deflated.Count > 0)
        {
            var deflater = new SharedDeflater(routes.Deflated, routes.DeflateLevel, captures, options.EffectiveWorkers);
            deflating = Consume(queues, reader => deflater.RunAsync(reader, failed.Token), consumers, failed);
        }

        var splicing = routes.Rewriting
            .Select((sink, i) => Consume(queues, reader => RewriteSplicer.RunAsync(reader, sink, captures[i].Reader, routes.DeflateLevel, failed.Token), consumers, failed))
            .ToList();
        if (routes.Fed.Count > 0)
        {
            _ = Consume(queues, reader => CopyTextFeeder.RunAsync(reader, routes.Fed, failed.Token), consumers, failed);
        }

        var (rows, bytes, readError) = await ReadAsync(connection, data, queues, routes.Segmented ? options.SegmentSize : 0, progress, failed);
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
            ExceptionDispatchInfo.Throw(readError);
        }

        var stats = new TableDataStats(data.Schema, data.Table, rows, bytes);
        var checksums = deflating is null ? default : await deflating;
        foreach (var sink in routes.Deflated)
        {
            await sink.EndDataAsync(stats, checksums, cancellationToken);
        }

        int segments = 0, reused = 0;
        for (var i = 0; i < routes.Rewriting.Count; i++)
        {
            var spliced = await splicing[i];
            (segments, reused) = (spliced.Segments, spliced.Reused);
            await routes.Rewriting[i].EndDataAsync(stats, spliced.Checksums, cancellationToken);
        }

        foreach (var sink in routes.Fed)
        {
            await sink.EndDataAsync(stats, null, cancellationToken);
        }

        return new TablePipelineResult(stats, segments, reused);
    }

    private static async Task StartAsync(IReadOnlyList<IDumpSink> sinks, DumpEntry entry, TableDataForm form, CancellationToken cancellationToken)
    {
        foreach (var sink in sinks)
        {
            await sink.StartDataAsync(entry, form, cancellationToken);
        }
    }

    /// <summary>Starts a consumer on a queue of its own. One that fails cancels the reader, which would otherwise wait on a full queue forever.</summary>
    private static Task<T> Consume<T>(List<Channel<PooledChunk>> queues, Func<ChannelReader<PooledChunk>, Task<T>> consumer, List<Task> consumers, CancellationTokenSource failed)
    {
        var queue = Channel.CreateBounded<PooledChunk>(new BoundedChannelOptions(QueueDepth) { SingleReader = true, SingleWriter = true });
        queues.Add(queue);
        var task = GuardAsync(() => consumer(queue.Reader), failed);
        consumers.Add(task);
        return task;
    }

    private static async Task<T> GuardAsync<T>(Func<Task<T>> consumer, CancellationTokenSource failed)
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

    /// <summary>Runs the COPY and puts every chunk, and with <paramref name="segmentSize"/> above 0 the segment ends, on every queue.</summary>
    private static async Task<(long Rows, long Bytes, Exception? Error)> ReadAsync(
        NpgsqlConnection connection, TableDataSource data, List<Channel<PooledChunk>> queues, int segmentSize, Action<long, long>? progress, CancellationTokenSource failed)
    {
        long segmentBytes = 0;
        var lastByte = (byte)'\n';
        async ValueTask PublishAsync(PooledChunk chunk, CancellationToken ct)
        {
            foreach (var queue in queues)
            {
                await queue.Writer.WriteAsync(chunk, ct);
            }
        }

        try
        {
            var (rows, bytes) = await TableCopyReader.CopyAsync(
                connection,
                data,
                async (memory, ct) =>
                {
                    lastByte = memory.Span[^1];
                    var start = 0;
                    while (segmentSize > 0)
                    {
                        // A segment ends at the first row end at or after SegmentSize bytes: cut points depend on the
                        // data only, not on how the network split it, so the artifacts are the same bytes every time
                        // the same data is backed up.
                        var threshold = start + (int)Math.Max(segmentSize - segmentBytes, 0);
                        var newline = threshold < memory.Length ? memory.Span[threshold..].IndexOf((byte)'\n') : -1;
                        if (newline < 0)
                        {
                            break;
                        }

                        var cut = threshold + newline + 1;
                        await PublishAsync(PooledChunk.Copy(memory.Span[start..cut], queues.Count), ct);
                        await PublishAsync(PooledChunk.SegmentEnd, ct);
                        segmentBytes = 0;
                        start = cut;
                    }

                    if (start < memory.Length)
                    {
                        segmentBytes += memory.Length - start;
                        await PublishAsync(PooledChunk.Copy(memory.Span[start..], queues.Count), ct);
                    }
                },
                progress,
                failed.Token);
            if (bytes > 0 && lastByte != (byte)'\n')
            {
                throw new BackupException($"table {data.Schema}.{data.Table}: COPY data did not end with a newline (stream cut short?)");
            }

            return (rows, bytes, null);
        }
        catch (Exception ex)
        {
            await failed.CancelAsync();
            return (0, 0, ex);
        }
    }

    /// <summary>The serial path (<see cref="PipelineOptions.Serial"/>): every sink gets the COPY text on this thread.</summary>
    private static async Task<TableDataStats> CopySeriallyAsync(
        NpgsqlConnection connection, DumpEntry entry, IReadOnlyList<IDumpSink> sinks, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        await StartAsync(sinks, entry, TableDataForm.CopyText, cancellationToken);
        var (rows, bytes) = await TableCopyReader.CopyAsync(
            connection,
            entry.Data!,
            async (chunk, ct) =>
            {
                foreach (var sink in sinks)
                {
                    await sink.WriteDataAsync(chunk, ct);
                }
            },
            progress,
            cancellationToken);
        var stats = new TableDataStats(entry.Data!.Schema, entry.Data.Table, rows, bytes);
        foreach (var sink in sinks)
        {
            await sink.EndDataAsync(stats, null, cancellationToken);
        }

        return stats;
    }
}
