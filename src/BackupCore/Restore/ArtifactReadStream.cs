using BackupCore.Storage;

namespace BackupCore.Restore;

/// <summary>
/// One artifact read from a store front to back, once, and checked against its manifest entry on the way: the bytes
/// are hashed as they pass (<see cref="ArtifactHasher"/>: the whole file, or a streamed archive's head and the rest)
/// and <see cref="CheckAsync"/> compares size and hashes when the consumer is done. Nothing is written anywhere, so
/// verify and restore need no local disk for the artifact. A byte beyond the manifest's size fails the read at once,
/// so a consumer never gets more bytes than the manifest vouches for. The store's stream is opened at the first read.
/// </summary>
public sealed class ArtifactReadStream : Stream
{
    private readonly IBackupReader _reader;
    private readonly ArtifactHasher _hasher;
    private Stream? _source;
    private bool _ended;
    private bool _checked;
    private ArtifactIntegrityException? _mismatch;

    public ArtifactReadStream(IBackupReader reader, ManifestArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(artifact);
        _reader = reader;
        Artifact = artifact;
        _hasher = ArtifactHasher.ForReading(artifact.Head);
    }

    /// <summary>The manifest entry the bytes are checked against.</summary>
    public ManifestArtifact Artifact { get; }

    /// <summary>The store it reads from (for messages; never credentials).</summary>
    public IBackupReader Reader => _reader;

    /// <summary>Bytes read from the store so far.</summary>
    public long BytesRead => _hasher.Size;

    /// <summary>Whether the store's stream has been opened (a read was made).</summary>
    public bool Started => _source is not null;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>The manifest's size.</summary>
    public override long Length => Artifact.Size;

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("an artifact from a store is read asynchronously");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_mismatch is not null)
        {
            throw _mismatch;
        }

        if (_ended || buffer.Length == 0)
        {
            return 0;
        }

        _source ??= await _reader.OpenReadAsync(Artifact.Key, Artifact.VersionId, cancellationToken);
        var n = await _source.ReadAsync(buffer, cancellationToken);
        if (n == 0)
        {
            _ended = true;
            return 0;
        }

        if (BytesRead + n > Artifact.Size)
        {
            _mismatch = new ArtifactIntegrityException(
                $"{_reader.Description}: {Artifact.Key}: more than the manifest's {Artifact.Size} bytes",
                "the object was replaced after the backup; do not restore it");
            throw _mismatch;
        }

        _hasher.Append(buffer.Span[..n]);
        return n;
    }

    /// <summary>
    /// Reads what the consumer left (a restore that stopped early, an archive walk that failed) so the hash covers the
    /// whole object, then compares size and hashes with the manifest; throws <see cref="ArtifactIntegrityException"/>
    /// (the message <c>fetch</c> gives) on a difference. Checks once; later calls repeat the outcome.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (_mismatch is not null)
        {
            throw _mismatch;
        }

        if (_checked)
        {
            return;
        }

        var buffer = new byte[1 << 16];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }

        var (size, sha256, head) = _hasher.Finish();
        try
        {
            ArtifactFetcher.CheckAgainstManifest(_reader.Description, Artifact, size, sha256, head);
        }
        catch (ArtifactIntegrityException ex)
        {
            _mismatch = ex;
            throw;
        }

        _checked = true;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source?.Dispose();
            _hasher.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync();
            _source = null;
        }

        await base.DisposeAsync();
    }
}
