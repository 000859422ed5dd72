namespace BackupCore.Archive;

/// <summary>
/// Reads a data block's chunks (Int length, bytes; length 0 ends the block) as one continuous stream of their
/// payload, for the inflater. Keeps the last four payload bytes: for a zlib block they are its Adler-32 trailer.
/// </summary>
internal sealed class ArchiveChunkReadStream : Stream
{
    private readonly ArchiveInput _input;
    private readonly string _block;
    private readonly byte[] _tail = new byte[4];
    private int _remaining;
    private bool _ended;

    public ArchiveChunkReadStream(ArchiveInput input, string block)
    {
        _input = input;
        _block = block;
    }

    public int Chunks { get; private set; }

    public long PayloadBytes { get; private set; }

    public bool Ended => _ended;

    /// <summary>The last four payload bytes (fewer if the payload is shorter), oldest first.</summary>
    public ReadOnlySpan<byte> Tail => _tail.AsSpan(4 - (int)Math.Min(4, PayloadBytes));

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("the archive chunk stream is read asynchronously");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_remaining == 0)
        {
            if (_ended)
            {
                return 0;
            }

            var at = _input.Position;
            var length = await _input.ReadIntAsync($"the length of chunk {Chunks + 1} of {_block}", cancellationToken);
            if (length == 0)
            {
                _ended = true;
                return 0;
            }

            if (length < 0)
            {
                throw _input.Corrupt($"the length of chunk {Chunks + 1} of {_block}", at, $"negative chunk length {length}");
            }

            _remaining = length;
            Chunks++;
        }

        var read = await _input.ReadSomeAsync(buffer[..Math.Min(buffer.Length, _remaining)], cancellationToken);
        if (read == 0)
        {
            throw _input.Truncated($"chunk {Chunks} of {_block} ({_remaining} bytes missing)", _input.Position);
        }

        _remaining -= read;
        PayloadBytes += read;
        RememberTail(buffer.Span[..read]);
        return read;
    }

    /// <summary>Reads and discards the rest of the block (after the inflater stopped); returns how many bytes that was.</summary>
    public async ValueTask<long> DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        long drained = 0;
        int read;
        while ((read = await ReadAsync(buffer, cancellationToken)) > 0)
        {
            drained += read;
        }

        return drained;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void RememberTail(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 4)
        {
            data[^4..].CopyTo(_tail);
            return;
        }

        // Shift the kept bytes left by data.Length, append data.
        _tail.AsSpan(data.Length).CopyTo(_tail);
        data.CopyTo(_tail.AsSpan(4 - data.Length));
    }
}
