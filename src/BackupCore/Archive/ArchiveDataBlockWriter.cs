using System.IO.Compression;

namespace BackupCore.Archive;

/// <summary>
/// Writes one TABLE DATA block to the archive output: the block type byte and dump id, then the COPY text followed
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
    private readonly ArchiveChunkStream _chunks;
    private readonly ZLibStream? _zlib;
    private bool _finished;

    private ArchiveDataBlockWriter(Stream output, int dumpId, long position, int compressionLevel, int chunkSize)
    {
        DumpId = dumpId;
        Position = position;
        _chunks = new ArchiveChunkStream(output, chunkSize);
        if (compressionLevel != ArchiveFormat.CompressionNone)
        {
            _zlib = new ZLibStream(_chunks, new ZLibCompressionOptions { CompressionLevel = compressionLevel }, leaveOpen: true);
        }
    }

    public int DumpId { get; }

    /// <summary>The archive position of the block's type byte (what its TOC offset names).</summary>
    public long Position { get; }

    /// <summary>COPY text bytes fed in (without the terminator the writer appends).</summary>
    public long CopyBytes { get; private set; }

    /// <summary>Chunk payload bytes (compressed, or equal to the text when uncompressed).</summary>
    public long StoredBytes => _chunks.PayloadBytes;

    /// <summary>Starts a block at the output's position by writing its type byte and dump id.</summary>
    public static async ValueTask<ArchiveDataBlockWriter> StartAsync(Stream output, int dumpId, int compressionLevel, int chunkSize, CancellationToken cancellationToken)
    {
        var position = output.Position;
        await WriteBlockHeadAsync(output, dumpId, cancellationToken);
        return new ArchiveDataBlockWriter(output, dumpId, position, compressionLevel, chunkSize);
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> copyText, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        CopyBytes += copyText.Length;
        return _zlib is not null ? _zlib.WriteAsync(copyText, cancellationToken) : _chunks.WriteAsync(copyText, cancellationToken);
    }

    /// <summary>
    /// Starts a block whose zlib stream is framed here around DEFLATE bytes produced elsewhere (shared with
    /// the plain artifact): the zlib header is written now, <see cref="WriteDeflatedAsync"/> passes the
    /// compressed bytes into the chunks, <see cref="FinishDeflatedAsync"/> adds the Adler-32 trailer.
    /// </summary>
    public static async ValueTask<ArchiveDataBlockWriter> StartDeflatedAsync(Stream output, int dumpId, int compressionLevel, int chunkSize, CancellationToken cancellationToken)
    {
        var position = output.Position;
        await WriteBlockHeadAsync(output, dumpId, cancellationToken);
        var block = new ArchiveDataBlockWriter(output, dumpId, position, ArchiveFormat.CompressionNone, chunkSize);
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
    public async ValueTask FinishDeflatedAsync(long copyBytes, uint adler32, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var trailer = new byte[Compression.DeflateFraming.ZlibTrailerSize];
        Compression.DeflateFraming.WriteZlibTrailer(trailer, adler32);
        await _chunks.WriteAsync(trailer, cancellationToken);
        await _chunks.FinishAsync(cancellationToken);
        CopyBytes = copyBytes;
        _finished = true;
    }

    /// <summary>Appends the COPY terminator, ends the zlib stream and the chunk list.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
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
    }

    /// <summary>Abandons an unfinished block: the run failed and the store discards the artifact, so nothing more is written.</summary>
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

    // pg_backup_custom.c, _StartData: the block type byte, then the dump id as an Int.
    private static async ValueTask WriteBlockHeadAsync(Stream output, int dumpId, CancellationToken cancellationToken)
    {
        var head = new byte[1 + ArchiveInt.Size];
        head[0] = ArchiveFormat.BlockData;
        ArchiveInt.Write(head.AsSpan(1), dumpId);
        await output.WriteAsync(head, cancellationToken);
    }
}
