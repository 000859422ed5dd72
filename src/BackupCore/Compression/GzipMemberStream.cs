using System.IO.Compression;

namespace BackupCore.Compression;

/// <summary>
/// The output of the plain SQL writer: a gzip file made of several members (RFC 1952 §2.2 allows any
/// number; gzip, zcat and .NET's <see cref="GZipStream"/> read them as one stream). Text written to the
/// stream is compressed into a member opened on demand; a table's data can instead be appended as a
/// member whose DEFLATE bytes were produced once and shared with the archive
/// (<see cref="BeginRawMemberAsync"/>, <see cref="WriteRawAsync"/>, <see cref="EndRawMemberAsync"/>).
/// Flushing ends the open text member. Disposing ends it and disposes the inner stream unless left open.
/// </summary>
public sealed class GzipMemberStream : Stream
{
    private readonly Stream _inner;
    private readonly int _level;
    private readonly bool _leaveOpen;
    private readonly byte[] _frame = new byte[DeflateFraming.GzipHeaderSize];
    private GZipStream? _text;
    private bool _inRawMember;
    private bool _disposed;

    public GzipMemberStream(Stream inner, int compressionLevel, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _level = compressionLevel;
        _leaveOpen = leaveOpen;
    }

    public int CompressionLevel => _level;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Text().Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => Text().Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Text().WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Text().WriteAsync(buffer, cancellationToken);

    /// <summary>Ends the text member (if any) and writes a new member's header; raw DEFLATE bytes follow.</summary>
    public async ValueTask BeginRawMemberAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EndTextMemberAsync();
        DeflateFraming.WriteGzipHeader(_frame);
        await _inner.WriteAsync(_frame.AsMemory(0, DeflateFraming.GzipHeaderSize), cancellationToken);
        _inRawMember = true;
    }

    /// <summary>Raw DEFLATE bytes of the open member, passed through unchanged.</summary>
    public ValueTask WriteRawAsync(ReadOnlyMemory<byte> deflate, CancellationToken cancellationToken)
    {
        if (!_inRawMember)
        {
            throw new InvalidOperationException("WriteRawAsync outside BeginRawMemberAsync/EndRawMemberAsync");
        }

        return _inner.WriteAsync(deflate, cancellationToken);
    }

    /// <summary>Ends the raw member with the CRC-32 and length of the bytes the DEFLATE stream holds.</summary>
    public async ValueTask EndRawMemberAsync(uint crc32, long uncompressedLength, CancellationToken cancellationToken)
    {
        if (!_inRawMember)
        {
            throw new InvalidOperationException("EndRawMemberAsync without BeginRawMemberAsync");
        }

        DeflateFraming.WriteGzipTrailer(_frame, crc32, uncompressedLength);
        await _inner.WriteAsync(_frame.AsMemory(0, DeflateFraming.GzipTrailerSize), cancellationToken);
        _inRawMember = false;
    }

    public override void Flush()
    {
        EndTextMemberAsync().AsTask().GetAwaiter().GetResult();
        _inner.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await EndTextMemberAsync();
        await _inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await EndTextMemberAsync();
        }
        finally
        {
            if (!_leaveOpen)
            {
                await _inner.DisposeAsync();
            }

            GC.SuppressFinalize(this);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _text?.Dispose();
            _text = null;
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private GZipStream Text()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inRawMember)
        {
            throw new InvalidOperationException("text written inside a raw gzip member");
        }

        return _text ??= new GZipStream(_inner, new ZLibCompressionOptions { CompressionLevel = _level }, leaveOpen: true);
    }

    private async ValueTask EndTextMemberAsync()
    {
        if (_text is not null)
        {
            // Disposing writes the final block and the member's trailer.
            var text = _text;
            _text = null;
            await text.DisposeAsync();
        }
    }
}
