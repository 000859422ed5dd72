namespace BackupCore.Storage;

/// <summary>
/// The write-only stream a publication hands to a writer. Disposing it only says "this artifact is complete";
/// nothing is published until the publication commits. Writers should write asynchronously; a synchronous
/// write (e.g. from a BinaryWriter or a sync GZipStream flush) still works but blocks while a full part uploads.
/// A writer that produces its first bytes last (the archive's header and TOC) reserves them first
/// (<see cref="IHeadReservingStream"/>).
/// </summary>
internal sealed class ArtifactWriteStream : Stream, IHeadReservingStream
{
    private readonly IArtifactOutput _output;
    private bool _closed;
    private long _written;

    public ArtifactWriteStream(string name, IArtifactOutput output)
    {
        Name = name;
        _output = output;
    }

    public string Name { get; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_closed;

    public bool CanReserveHead => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public void ReserveHead(int length)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _output.ReserveHead(length);
    }

    public async ValueTask WriteHeadAsync(ReadOnlyMemory<byte> head, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        await _output.WriteHeadAsync(head, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        await _output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // The bytes must outlive the call while a part uploads, so copy them out of the caller's span.
        Write(buffer.ToArray(), 0, buffer.Length);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            _output.WriterClosed = true;
        }

        base.Dispose(disposing);
    }
}
