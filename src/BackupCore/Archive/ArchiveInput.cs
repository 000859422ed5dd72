using System.Text;

namespace BackupCore.Archive;

/// <summary>
/// Reads archive primitives from a stream (seekable or not) and knows the file offset of every byte, so that
/// each error names where it happened: "truncated at offset N while reading ...".
/// </summary>
internal sealed class ArchiveInput
{
    // No string field of a sane archive is near this; a bigger length means a corrupt length field.
    private const int MaxStringBytes = 1 << 28;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;

    public ArchiveInput(Stream stream, string source)
    {
        _stream = stream;
        Source = source;
    }

    public string Source { get; }

    /// <summary>File offset of the next byte to be read.</summary>
    public long Position { get; private set; }

    public int IntSize { get; set; } = ArchiveFormat.IntSize;

    public int OffsetSize { get; set; } = ArchiveFormat.OffsetSize;

    /// <summary>Reads one byte, or returns -1 at the end of the file.</summary>
    public async ValueTask<int> TryReadByteAsync(CancellationToken cancellationToken)
    {
        if (_start == _end && !await FillAsync(cancellationToken))
        {
            return -1;
        }

        Position++;
        return _buffer[_start++];
    }

    public async ValueTask<byte> ReadByteAsync(string what, CancellationToken cancellationToken)
    {
        var at = Position;
        var b = await TryReadByteAsync(cancellationToken);
        return b < 0 ? throw Truncated(what, at) : (byte)b;
    }

    /// <summary>Fills <paramref name="destination"/> completely or throws a truncation error naming <paramref name="what"/>.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, string what, CancellationToken cancellationToken)
    {
        var at = Position;
        while (destination.Length > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                throw Truncated(what, at);
            }

            var take = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, take).CopyTo(destination);
            _start += take;
            Position += take;
            destination = destination[take..];
        }
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes, at least one unless the file ended.</summary>
    public async ValueTask<int> ReadSomeAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_start == _end && !await FillAsync(cancellationToken))
        {
            return 0;
        }

        var take = Math.Min(destination.Length, _end - _start);
        _buffer.AsMemory(_start, take).CopyTo(destination);
        _start += take;
        Position += take;
        return take;
    }

    public async ValueTask<int> ReadIntAsync(string what, CancellationToken cancellationToken)
    {
        var at = Position;
        var bytes = new byte[1 + IntSize];
        await ReadExactlyAsync(bytes, what, cancellationToken);
        return ArchiveInt.TryRead(bytes, IntSize, out var value)
            ? value
            : throw Corrupt(what, at, $"not an archive Int (bytes {Convert.ToHexString(bytes)})");
    }

    /// <summary>Reads a Str; length -1 is NULL.</summary>
    public async ValueTask<string?> ReadStringAsync(string what, CancellationToken cancellationToken)
    {
        var at = Position;
        var length = await ReadIntAsync(what, cancellationToken);
        if (length == -1)
        {
            return null;
        }

        if (length is < 0 or > MaxStringBytes)
        {
            throw Corrupt(what, at, $"string length {length} is impossible");
        }

        var bytes = new byte[length];
        await ReadExactlyAsync(bytes, what, cancellationToken);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new BackupException($"archive {Source}: {what} at offset {at}: not valid UTF-8", hint: null, innerException: ex);
        }
    }

    public async ValueTask<(ArchiveOffsetState State, long Position)> ReadOffsetAsync(string what, CancellationToken cancellationToken)
    {
        var at = Position;
        var bytes = new byte[1 + OffsetSize];
        await ReadExactlyAsync(bytes, what, cancellationToken);
        return ArchiveOffset.TryRead(bytes, OffsetSize, out var state, out var position)
            ? (state, position)
            : throw Corrupt(what, at, $"not a data offset (flag {bytes[0]})");
    }

    public BackupException Truncated(string what, long offset) =>
        new($"archive {Source}: truncated at offset {offset} while reading {what} (the file ends at offset {Position})");

    public BackupException Corrupt(string what, long offset, string detail) =>
        new($"archive {Source}: {what} at offset {offset}: {detail}");

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer, cancellationToken);
        return _end > 0;
    }
}
