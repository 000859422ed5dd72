using System.Buffers;
using System.Data;
using BackupCore.Plan;
using BackupCore.Writers;
using Npgsql;
using NpgsqlTypes;

namespace BackupCore.Pipeline;

/// <summary>
/// Streams the contents of every large object of the BLOBS entry to the sinks, in the dump's snapshot: a byte range
/// at a time with <c>lo_get(oid, offset, length)</c> (a read-only access, so it sees the transaction's snapshot), so no
/// object is ever held in memory whole (pg_dump.c dumpBlobs reads with lo_read the same way).
/// </summary>
internal static class LargeObjectCopier
{
    // One round trip per MiB; the plain writer still cuts its lowrite statements at pg_dump's 16 KiB.
    private const int ReadBytes = 1 << 20;

    public static async Task<(long Objects, long Bytes)> CopyAsync(NpgsqlConnection connection, DumpEntry entry, IReadOnlyList<IDumpSink> sinks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var oids = entry.LargeObjects ?? throw new ArgumentException("not the BLOBS entry", nameof(entry));
        foreach (var target in sinks)
        {
            await target.StartLargeObjectsAsync(entry, cancellationToken);
        }

        await using var cmd = new NpgsqlCommand("SELECT pg_catalog.lo_get($1, $2, $3)", connection);
        var oidParameter = new NpgsqlParameter<uint> { NpgsqlDbType = NpgsqlDbType.Oid };
        var offsetParameter = new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint };
        cmd.Parameters.Add(oidParameter);
        cmd.Parameters.Add(offsetParameter);
        cmd.Parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = ReadBytes });

        var buffer = ArrayPool<byte>.Shared.Rent(ReadBytes);
        long total = 0;
        try
        {
            foreach (var oid in oids)
            {
                foreach (var target in sinks)
                {
                    await target.StartLargeObjectAsync(oid, cancellationToken);
                }

                oidParameter.TypedValue = oid;
                for (long offset = 0; ; )
                {
                    offsetParameter.TypedValue = offset;
                    var read = await ReadRangeAsync(cmd, oid, buffer, cancellationToken);
                    if (read > 0)
                    {
                        foreach (var target in sinks)
                        {
                            await target.WriteLargeObjectAsync(buffer.AsMemory(0, read), cancellationToken);
                        }
                    }

                    offset += read;
                    total += read;
                    if (read < ReadBytes)
                    {
                        break;
                    }
                }

                foreach (var target in sinks)
                {
                    await target.EndLargeObjectAsync(cancellationToken);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        foreach (var target in sinks)
        {
            await target.EndLargeObjectsAsync(cancellationToken);
        }

        return (oids.Count, total);
    }

    private static async Task<int> ReadRangeAsync(NpgsqlCommand cmd, uint oid, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            await reader.ReadAsync(cancellationToken);
            await using var stream = await reader.GetStreamAsync(0, cancellationToken);
            var read = 0;
            while (read < ReadBytes)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read, ReadBytes - read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return read;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new BackupException(
                $"large object {oid}: the backup role may not read it ({ex.SqlState})",
                "GRANT SELECT ON LARGE OBJECT to the backup role, or back up as the objects' owner",
                ex);
        }
        catch (PostgresException ex)
        {
            throw new BackupException($"large object {oid}: read failed: {ex.MessageText} (SQLSTATE {ex.SqlState})", innerException: ex);
        }
    }
}
