namespace BackupCore.Archive;

/// <summary>
/// A write-only stream that frames what is written to it as a data block's chunks: each chunk is an
/// <see cref="ArchiveInt"/> length (&gt; 0) followed by that many bytes, and <see cref="FinishAsync"/> writes
/// the zero-length end marker (pg_backup_custom.c, _EndData / _skipData). Bytes are gathered up to
/// <c>chunkSize</c> so the framing overhead stays at 5 bytes per chunk; a zero-length chunk is never
/// written because length 0 ends the block.
/// </summary>
internal sealed class ArchiveChunkStream : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _buffer;
    private int _buffered;
    private bool _finished;
    private bool _abandoned;

    public ArchiveChunkStream(Stream inner, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _inner = inner;

        // The chunk length header is written in front of the payload from the same buffer.
        _buffer = new byte[ArchiveInt.Size + chunkSize];
    }

    /// <summary>Payload bytes written so far (without the length prefixes).</summary>
    public long PayloadBytes { get; private set; }

    public int Chunks { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_finished;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    private int ChunkSize => _buffer.Length - ArchiveInt.Size;

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("the archive chunk stream is written asynchronously");

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_abandoned)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(_finished, this);
        while (buffer.Length > 0)
        {
            var take = Math.Min(buffer.Length, ChunkSize - _buffered);
            buffer.Span[..take].CopyTo(_buffer.AsSpan(ArchiveInt.Size + _buffered));
            _buffered += take;
            buffer = buffer[take..];
            if (_buffered == ChunkSize)
            {
                await WriteChunkAsync(cancellationToken);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Flush is a no-op: a partial chunk is only written when full or at <see cref="FinishAsync"/>.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Writes the pending partial chunk and the end-of-block marker.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_buffered > 0)
        {
            await WriteChunkAsync(cancellationToken);
        }

        ArchiveInt.Write(_buffer, 0);
        await _inner.WriteAsync(_buffer.AsMemory(0, ArchiveInt.Size), cancellationToken);
        _finished = true;
    }

    /// <summary>Drops everything written from now on (the block is discarded after a failure).</summary>
    public void Abandon() => _abandoned = true;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async ValueTask WriteChunkAsync(CancellationToken cancellationToken)
    {
        ArchiveInt.Write(_buffer, _buffered);
        await _inner.WriteAsync(_buffer.AsMemory(0, ArchiveInt.Size + _buffered), cancellationToken);
        PayloadBytes += _buffered;
        Chunks++;
        _buffered = 0;
    }
}
