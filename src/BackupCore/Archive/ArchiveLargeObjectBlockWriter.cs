using System.IO.Compression;

namespace BackupCore.Archive;

/// <summary>
/// Writes the BLOBS entry's data block into the archive's output (pg_backup_custom.c, _StartBlobs/_StartBlob/_EndBlob/_EndBlobs):
/// the block type <see cref="ArchiveFormat.BlockBlobs"/> and dump id, then per large object its oid and its contents
/// as one zlib stream (or plain, uncompressed) cut into chunks ending with a zero length, and finally a zero oid.
/// </summary>
internal sealed class ArchiveLargeObjectBlockWriter
{
    private readonly Stream _output;
    private readonly int _compressionLevel;
    private readonly int _chunkSize;
    private ArchiveChunkStream? _chunks;
    private ZLibStream? _zlib;
    private long _objectBytes;
    private long _rawBytes;
    private long _storedBytes;

    private ArchiveLargeObjectBlockWriter(Stream output, int dumpId, int compressionLevel, int chunkSize)
    {
        _output = output;
        DumpId = dumpId;
        _compressionLevel = compressionLevel;
        _chunkSize = chunkSize;
    }

    public int DumpId { get; }

    /// <summary>Bytes of large-object contents written.</summary>
    public long RawBytes => _rawBytes;

    /// <summary>Chunk payload bytes written for them (compressed when the archive is).</summary>
    public long StoredBytes => _storedBytes;

    public static async ValueTask<ArchiveLargeObjectBlockWriter> StartAsync(Stream output, int dumpId, int compressionLevel, int chunkSize, CancellationToken cancellationToken)
    {
        var head = new byte[1 + ArchiveInt.Size];
        head[0] = ArchiveFormat.BlockBlobs;
        ArchiveInt.Write(head.AsSpan(1), dumpId);
        await output.WriteAsync(head, cancellationToken);
        return new ArchiveLargeObjectBlockWriter(output, dumpId, compressionLevel, chunkSize);
    }

    public async ValueTask BeginObjectAsync(uint oid, CancellationToken cancellationToken)
    {
        if (_chunks is not null)
        {
            throw new InvalidOperationException("archive: a large object was not ended");
        }

        // pg_restore reads the oid with ReadInt, which holds any 32-bit value in its sign-and-magnitude form.
        var head = new byte[ArchiveInt.Size];
        ArchiveInt.Write(head, unchecked((int)oid));
        await _output.WriteAsync(head, cancellationToken);
        _chunks = new ArchiveChunkStream(_output, _chunkSize);
        _zlib = _compressionLevel == ArchiveFormat.CompressionNone
            ? null
            : new ZLibStream(_chunks, new ZLibCompressionOptions { CompressionLevel = _compressionLevel == ArchiveFormat.CompressionDefault ? 6 : _compressionLevel }, leaveOpen: true);
        _objectBytes = 0;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var chunks = _chunks ?? throw new InvalidOperationException("archive: large object data with no large object begun");
        _objectBytes += data.Length;
        _rawBytes += data.Length;
        return _zlib is not null ? _zlib.WriteAsync(data, cancellationToken) : chunks.WriteAsync(data, cancellationToken);
    }

    public async ValueTask EndObjectAsync(CancellationToken cancellationToken)
    {
        var chunks = _chunks ?? throw new InvalidOperationException("archive: no large object to end");
        if (_zlib is not null)
        {
            if (_objectBytes == 0)
            {
                // pg_restore inflates every object's stream to its end and fails on one without any bytes; zlib's
                // own output for no input is header, an empty final block (03 00) and Adler-32 1.
                var empty = new byte[Compression.DeflateFraming.ZlibHeaderSize + 2 + Compression.DeflateFraming.ZlibTrailerSize];
                Compression.DeflateFraming.WriteZlibHeader(empty, _compressionLevel == ArchiveFormat.CompressionDefault ? 6 : _compressionLevel);
                empty[2] = 0x03;
                Compression.DeflateFraming.WriteZlibTrailer(empty.AsSpan(4), 1);
                await chunks.WriteAsync(empty, cancellationToken);
                _zlib = null;
            }
            else
            {
                // Disposing writes the final deflate block and the Adler-32 trailer.
                await _zlib.DisposeAsync();
                _zlib = null;
            }
        }

        await chunks.FinishAsync(cancellationToken);
        _storedBytes += chunks.PayloadBytes;
        _chunks = null;
    }

    /// <summary>The end-of-objects zero oid.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        if (_chunks is not null)
        {
            throw new InvalidOperationException("archive: a large object was not ended");
        }

        await _output.WriteAsync(new byte[ArchiveInt.Size], cancellationToken);
    }
}
