using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace BackupCore.Archive;

/// <summary>The BLOBS entry's block: per large object an oid and a chunked (zlib) stream, ended by a zero oid.</summary>
public static partial class ArchiveReader
{
    private static async Task<ArchiveDataBlock> ReadLargeObjectBlockAsync(ArchiveInput input, ArchiveHeader header, ArchiveEntry entry, long at, CancellationToken cancellationToken)
    {
        var name = $"the large-object block of {entry.Describe()} at offset {at}";
        var buffer = new byte[1 << 16];
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long bytes = 0;
        long stored = 0;
        var chunks = 0;
        while (true)
        {
            var oid = unchecked((uint)await input.ReadIntAsync(name + ": large object oid", cancellationToken));
            if (oid == 0)
            {
                break;
            }

            var what = $"{name}: large object {oid}";
            var stream = new ArchiveChunkReadStream(input, what);
            var adler = default(Adler32);
            if (header.IsZlibCompressed)
            {
                try
                {
                    await using var zlib = new ZLibStream(stream, CompressionMode.Decompress, leaveOpen: true);
                    int read;
                    while ((read = await zlib.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        adler.Append(buffer.AsSpan(0, read));
                        sha256.AppendData(buffer, 0, read);
                        bytes += read;
                    }
                }
                catch (InvalidDataException ex)
                {
                    throw new BackupException($"archive {input.Source}: {what}: zlib data is corrupt near offset {input.Position}: {ex.Message}", hint: null, innerException: ex);
                }

                var extra = await stream.DrainAsync(cancellationToken);
                var tail = stream.Tail;
                if (extra > 0 || tail.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(tail) != adler.Value)
                {
                    throw new BackupException($"archive {input.Source}: {what}: the zlib stream is incomplete or followed by other data (Adler-32 check failed, ends at offset {input.Position})");
                }
            }
            else
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha256.AppendData(buffer, 0, read);
                    bytes += read;
                }
            }

            chunks += stream.Chunks;
            stored += stream.PayloadBytes;
        }

        // Rows stay 0: a large-object block holds no COPY rows.
        return new ArchiveDataBlock(entry.DumpId, at, input.Position - at, chunks, stored, bytes, 0, Convert.ToHexStringLower(sha256.GetHashAndReset()), false);
    }
}
