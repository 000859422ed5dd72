using System.Buffers;
using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Copy;

/// <summary>
/// Streams one table's <c>COPY ... TO STDOUT</c> (text format) as raw bytes, exactly as the server
/// sends them: no decoding, no per-row work, never the whole table in memory.
/// </summary>
internal static class TableCopyReader
{
    private const int BufferSize = 128 * 1024;

    // Below this much free space the chunk is handed on rather than read into further.
    private const int MinimumRead = 16 * 1024;

    /// <summary>
    /// Runs the COPY and hands every chunk to <paramref name="onChunk"/>; returns rows and bytes.
    /// <paramref name="progress"/> gets the rows and bytes so far after each chunk.
    /// </summary>
    public static async Task<(long Rows, long Bytes)> CopyAsync(
        NpgsqlConnection connection,
        TableDataSource table,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> onChunk,
        Action<long, long>? progress,
        CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long rows = 0, bytes = 0;
        try
        {
            // BeginTextExport's reader is a StreamReader over the raw COPY stream: reading its BaseStream
            // gives the server's bytes without a UTF-8 decode/encode round trip.
            using var reader = await connection.BeginTextExportAsync(table.CopyToSql, cancellationToken);
            var raw = reader.BaseStream;
            // The raw stream returns at most one CopyData message per read, and the server sends one
            // message per row: handing each read on would cost a queue hand-off (and a thread wake-up)
            // per row. Reads are gathered until the buffer is nearly full; they complete synchronously
            // while Npgsql's read buffer holds data, so gathering costs no extra waiting.
            var n = 0;
            while (true)
            {
                var read = await raw.ReadAsync(buffer.AsMemory(n, BufferSize - n), cancellationToken);
                n += read;
                if (read > 0 && BufferSize - n >= MinimumRead)
                {
                    continue;
                }

                if (n > 0)
                {
                    // In COPY text every data newline is escaped, so each LF ends one row.
                    rows += buffer.AsSpan(0, n).Count((byte)'\n');
                    bytes += n;
                    await onChunk(buffer.AsMemory(0, n), cancellationToken);
                    progress?.Invoke(rows, bytes);
                    n = 0;
                }

                if (read == 0)
                {
                    break;
                }
            }
        }
        catch (PostgresException ex)
        {
            throw new BackupException($"table \"{table.Schema}\".\"{table.Table}\": COPY failed: {ex.MessageText} (SQLSTATE {ex.SqlState})", null, ex);
        }
        catch (NpgsqlException ex)
        {
            throw new BackupException($"table \"{table.Schema}\".\"{table.Table}\": COPY failed: {ex.Message}", "the connection to the database was lost; the run published nothing", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (rows, bytes);
    }
}
