using System.IO.Compression;

namespace BackupCore.Archive;

/// <summary>
/// Writes one TABLE DATA block into the spool: the block type byte and dump id, then the COPY text followed
/// by <see cref="ArchiveFormat.CopyTerminator"/>, as exactly one zlib stream (RFC 1950) cut into chunks, or
/// as plain chunks when the archive is uncompressed (pg_backup_custom.c, _StartData/_EndData; one stream
/// per block because pg_restore 15 hangs on a second stream in the same block).
/// </summary>
/// <remarks>
/// The compressor sits in front of the chunk framing and knows nothing of it, so a later version can produce
/// the raw DEFLATE once and frame it twice: with a zlib header and Adler-32 trailer here, with a gzip header and
/// CRC-32 trailer in the plain writer.
/// </remarks>
internal sealed class ArchiveDataBlockWriter : IAsyncDisposable
{
    private readonly Stream _spool;
    private readonly ArchiveChunkStream _chunks;
    private readonly ZLibStream? _zlib;
    private long _copyBytes;
    private bool _finished;

    private ArchiveDataBlockWriter(Stream spool, int dumpId, long spoolOffset, int compressionLevel, int chunkSize)
    {
        _spool = spool;
        DumpId = dumpId;
        SpoolOffset = spoolOffset;
        _chunks = new ArchiveChunkStream(spool, chunkSize);
        if (compressionLevel != ArchiveFormat.CompressionNone)
        {
            _zlib = new ZLibStream(_chunks, new ZLibCompressionOptions { CompressionLevel = compressionLevel }, leaveOpen: true);
        }
    }

    public int DumpId { get; }

    public long SpoolOffset { get; }

    /// <summary>Starts a block at the spool's current end by writing its type byte and dump id.</summary>
    public static async ValueTask<ArchiveDataBlockWriter> StartAsync(Stream spool, int dumpId, int compressionLevel, int chunkSize, CancellationToken cancellationToken)
    {
        var offset = spool.Position;
        var head = new byte[1 + ArchiveInt.Size];
        head[0] = ArchiveFormat.BlockData;
        ArchiveInt.Write(head.AsSpan(1), dumpId);
        await spool.WriteAsync(head, cancellationToken);
        return new ArchiveDataBlockWriter(spool, dumpId, offset, compressionLevel, chunkSize);
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> copyText, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _copyBytes += copyText.Length;
        return _zlib is not null ? _zlib.WriteAsync(copyText, cancellationToken) : _chunks.WriteAsync(copyText, cancellationToken);
    }

    /// <summary>
    /// Starts a block whose zlib stream is framed here around DEFLATE bytes produced elsewhere (shared with
    /// the plain artifact): the zlib header is written now, <see cref="WriteDeflatedAsync"/> passes the
    /// compressed bytes into the chunks, <see cref="FinishDeflatedAsync"/> adds the Adler-32 trailer.
    /// </summary>
    public static async ValueTask<ArchiveDataBlockWriter> StartDeflatedAsync(Stream spool, int dumpId, int compressionLevel, int chunkSize, CancellationToken cancellationToken)
    {
        var offset = spool.Position;
        var head = new byte[1 + ArchiveInt.Size];
        head[0] = ArchiveFormat.BlockData;
        ArchiveInt.Write(head.AsSpan(1), dumpId);
        await spool.WriteAsync(head, cancellationToken);
        var block = new ArchiveDataBlockWriter(spool, dumpId, offset, ArchiveFormat.CompressionNone, chunkSize);
        var zlibHeader = new byte[Compression.DeflateFraming.ZlibHeaderSize];
        Compression.DeflateFraming.WriteZlibHeader(zlibHeader, compressionLevel);
        await block._chunks.WriteAsync(zlibHeader, cancellationToken);
        return block;
    }

    /// <summary>Raw DEFLATE bytes of a block started with <see cref="StartDeflatedAsync"/>.</summary>
    public ValueTask WriteDeflatedAsync(ReadOnlyMemory<byte> deflate, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        return _chunks.WriteAsync(deflate, cancellationToken);
    }

    /// <summary>Ends a shared-DEFLATE block: Adler-32 of the COPY text and terminator, then the chunk list's end.</summary>
    public async ValueTask<SpooledDataBlock> FinishDeflatedAsync(long copyBytes, uint adler32, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var trailer = new byte[Compression.DeflateFraming.ZlibTrailerSize];
        Compression.DeflateFraming.WriteZlibTrailer(trailer, adler32);
        await _chunks.WriteAsync(trailer, cancellationToken);
        await _chunks.FinishAsync(cancellationToken);
        _copyBytes = copyBytes;
        _finished = true;
        return new SpooledDataBlock(DumpId, SpoolOffset, _spool.Position - SpoolOffset, _copyBytes, _chunks.PayloadBytes);
    }

    /// <summary>Appends the COPY terminator, ends the zlib stream and the chunk list.</summary>
    public async ValueTask<SpooledDataBlock> FinishAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var terminator = ArchiveFormat.CopyTerminator.ToArray();
        if (_zlib is not null)
        {
            await _zlib.WriteAsync(terminator, cancellationToken);

            // Disposing is what writes the final deflate block and the Adler-32 trailer (Z_FINISH).
            await _zlib.DisposeAsync();
        }
        else
        {
            await _chunks.WriteAsync(terminator, cancellationToken);
        }

        await _chunks.FinishAsync(cancellationToken);
        _finished = true;
        return new SpooledDataBlock(DumpId, SpoolOffset, _spool.Position - SpoolOffset, _copyBytes, _chunks.PayloadBytes);
    }

    /// <summary>Abandons an unfinished block: the spool is being thrown away, so nothing more is written to it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _chunks.Abandon();
        if (_zlib is not null)
        {
            await _zlib.DisposeAsync();
        }
    }
}
