using BackupCore.Storage;

namespace BackupCore.Writers;

/// <summary>A write-only stream that writes every byte to several streams (one artifact to several stores).</summary>
internal sealed class TeeStream : Stream, IHeadReservingStream
{
    private readonly IReadOnlyList<Stream> _targets;

    public TeeStream(IReadOnlyList<Stream> targets)
    {
        _targets = targets;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public bool CanReserveHead => _targets.All(t => t is IHeadReservingStream { CanReserveHead: true });

    public void ReserveHead(int length)
    {
        foreach (var t in _targets)
        {
            ((IHeadReservingStream)t).ReserveHead(length);
        }
    }

    public async ValueTask WriteHeadAsync(ReadOnlyMemory<byte> head, CancellationToken cancellationToken)
    {
        foreach (var t in _targets)
        {
            await ((IHeadReservingStream)t).WriteHeadAsync(head, cancellationToken);
        }
    }

    public override void Flush()
    {
        foreach (var t in _targets)
        {
            t.Flush();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var t in _targets)
        {
            await t.FlushAsync(cancellationToken);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        foreach (var t in _targets)
        {
            t.Write(buffer, offset, count);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        foreach (var t in _targets)
        {
            await t.WriteAsync(buffer, cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask DisposeAsync()
    {
        foreach (var t in _targets)
        {
            await t.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var t in _targets)
            {
                t.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
