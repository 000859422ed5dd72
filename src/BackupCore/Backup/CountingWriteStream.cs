using BackupCore.Storage;

namespace BackupCore.Backup;

/// <summary>
/// A write-only pass-through that counts the bytes written and reports the total when it is disposed, so an
/// artifact's size is known before any store publishes it (<see cref="ShrinkGuard"/>).
/// </summary>
internal sealed class CountingWriteStream(Stream inner, Action<long> closed) : Stream, IHeadReservingStream
{
    private long _written;
    private bool _disposed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public bool CanReserveHead => inner is IHeadReservingStream { CanReserveHead: true };

    public void ReserveHead(int length) => ((IHeadReservingStream)inner).ReserveHead(length);

    public async ValueTask WriteHeadAsync(ReadOnlyMemory<byte> head, CancellationToken cancellationToken)
    {
        await ((IHeadReservingStream)inner).WriteHeadAsync(head, cancellationToken).ConfigureAwait(false);
        _written += head.Length;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        _written += count;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        _written += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            inner.Dispose();
            closed(_written);
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await inner.DisposeAsync().ConfigureAwait(false);
            closed(_written);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
