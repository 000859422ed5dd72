using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;

namespace BackupCore.Storage;

/// <summary>
/// One artifact's upload: bytes are buffered one part at a time (pooled arrays), full parts go out as multipart
/// parts while the writer keeps writing (two in flight while parts are small, <see cref="S3PartSizing.PartsInFlight"/>),
/// and an artifact that never fills one part is held and sent as a single PUT. Nothing becomes visible until
/// <see cref="PublishAsync"/> (CompleteMultipartUpload or the PUT), which the publication calls only when every
/// artifact of the run has been written. Size and SHA-256 are computed while streaming (<see cref="ArtifactHasher"/>).
/// </summary>
/// <remarks>
/// A reserved head (<see cref="IHeadReservingStream"/>, the archive's header and TOC) makes part 1 special: its buffer
/// holds the head's room plus the first data bytes, up to S3's 5 MiB minimum part size (or the head's length, if
/// larger); data then streams as parts 2..N, and part 1 is uploaded last, once the writer
/// has filled in the head. Parts may be uploaded in any order (S3 API reference, UploadPart), only the last may be small.
/// </remarks>
internal sealed partial class S3ArtifactUpload : IArtifactOutput, IDisposable
{
    private readonly IAmazonS3 _client;
    private readonly S3StoreOptions _options;
    private readonly string _runId;
    private readonly ArrayPool<byte> _partBuffers;
    private readonly ArtifactHasher _hasher = new();

    // Finished parts by number: CompleteMultipartUpload lists them ascending, and S3's multipart ETag is
    // MD5(part MD5s in part order)-N, kept to check what HEAD returns. With two in flight they finish in any order.
    private readonly SortedDictionary<int, (string ETag, byte[] Md5)> _parts = [];
    private readonly Lock _partsGate = new();
    private readonly Queue<Task> _inFlight = new();
    private byte[]? _buffer;
    private int _bufferSize;
    private int _bufferPart;
    private int _filled;
    private int _nextPart = 1;
    private int _headLength = -1;
    private bool _headWritten;
    private byte[]? _heldPart1;
    private int _heldPart1Length;
    private byte[]? _singlePut;
    private int _singlePutLength;
    private byte[]? _singlePutMd5;
    private string? _uploadId;
    private bool _completed;
    private (long Size, string Sha256, ArtifactHead? Head)? _digest;

    public S3ArtifactUpload(IAmazonS3 client, S3StoreOptions options, ArtifactKind kind, string key, string runId, ArrayPool<byte> partBuffers)
    {
        _client = client;
        _partBuffers = partBuffers;
        _options = options;
        Kind = kind;
        Key = key;
        _runId = runId;
    }

    public ArtifactKind Kind { get; }

    public string Key { get; }

    /// <summary>Set by the writer disposing its stream: no more bytes will come.</summary>
    public bool WriterClosed { get; set; }

    public bool IsMultipart => _uploadId is not null;

    public int PartCount => _parts.Count;

    /// <summary>The published version (null on an unversioned bucket, or before <see cref="PublishAsync"/>).</summary>
    public string? VersionId { get; private set; }

    public bool Published { get; private set; }

    public long Size => Digest.Size;

    public string Sha256Hex => Digest.Sha256;

    public ArtifactHead? Head => Digest.Head;

    private (long Size, string Sha256, ArtifactHead? Head) Digest => _digest ?? throw new InvalidOperationException("artifact not finished");

    public void ReserveHead(int length)
    {
        if (WriterClosed || _buffer is not null || _nextPart != 1)
        {
            throw new InvalidOperationException($"{Key}: the head must be reserved before the first byte is written");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, S3PartSizing.MaxBufferedPartSize);
        _hasher.ReserveHead(length);
        _headLength = length;
        // As small as S3 allows (5 MiB, or the head if larger): it is held all run and uploaded after the last COPY.
        StartBuffer(Math.Max(S3StoreOptions.MinimumPartSize, length));
        _filled = length;
        if (_filled == _bufferSize)
        {
            HoldPart1();
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(WriterClosed, Key);
        _hasher.AppendBody(data.Span);
        while (!data.IsEmpty)
        {
            if (_buffer is null)
            {
                StartBuffer(S3PartSizing.PartSize(_options.MinPartSize, _nextPart));
            }

            var n = Math.Min(_bufferSize - _filled, data.Length);
            data.Span[..n].CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == _bufferSize)
            {
                if (_bufferPart == 1 && _headLength >= 0)
                {
                    HoldPart1();
                }
                else
                {
                    await SendBufferAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    public Task WriteHeadAsync(ReadOnlyMemory<byte> head, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(WriterClosed, Key);
        if (_headLength < 0 || head.Length != _headLength || _headWritten)
        {
            throw new InvalidOperationException($"{Key}: {head.Length} head bytes do not match the {_headLength} reserved, or the head was already written");
        }

        _hasher.AppendHead(head.Span);
        _headWritten = true;

        // Part 1 is held once full, else it is still the buffer being filled (a small artifact).
        head.Span.CopyTo(_heldPart1 ?? _buffer);
        return Task.CompletedTask;
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_buffer))]
    private void StartBuffer(int size)
    {
        _bufferPart = _nextPart++;
        _bufferSize = size;
        _buffer = _partBuffers.Rent(size);
        _filled = 0;
    }

    private void HoldPart1()
    {
        _heldPart1 = _buffer;
        _heldPart1Length = _filled;
        _buffer = null;
        _filled = 0;
    }

    private async Task SendBufferAsync(CancellationToken cancellationToken)
    {
        var buffer = _buffer!;
        var length = _filled;
        var part = _bufferPart;
        _buffer = null;
        _filled = 0;
        await StartPartAsync(buffer, length, part, cancellationToken).ConfigureAwait(false);
    }

    private async Task StartPartAsync(byte[] buffer, int length, int partNumber, CancellationToken cancellationToken)
    {
        try
        {
            await StartMultipartAsync(cancellationToken).ConfigureAwait(false);
            while (_inFlight.Count >= S3PartSizing.PartsInFlight(length))
            {
                await _inFlight.Dequeue().ConfigureAwait(false);
            }
        }
        catch
        {
            _partBuffers.Return(buffer);
            throw;
        }

        // On a pool thread, so the part's MD5 is computed beside the writer rather than in its way.
        _inFlight.Enqueue(Task.Run(() => UploadPartAsync(buffer, length, partNumber, cancellationToken), CancellationToken.None));
    }

    private static readonly TimeSpan InitiateTimeout = TimeSpan.FromSeconds(60);

    private async Task StartMultipartAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is not null)
        {
            return;
        }

        var initiate = new InitiateMultipartUploadRequest
        {
            BucketName = _options.Bucket,
            Key = Key,
            ContentType = ArtifactNames.ContentType(Kind),
        };
        initiate.Metadata.Add("run-id", _runId);
        S3ObjectPlacement.ApplyTo(initiate, _options);

        // Not cancelled by the run's token: a request cancelled in flight can still create the upload on the server,
        // and an upload whose id we never learn cannot be aborted. Bounded instead, then the token is honoured.
        using var bounded = new CancellationTokenSource(InitiateTimeout);
        var response = await S3Call.RunAsync(_options, $"start multipart upload of {Key}", () => _client.InitiateMultipartUploadAsync(initiate, bounded.Token))
            .ConfigureAwait(false);
        _uploadId = response.UploadId;
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task UploadPartAsync(byte[] buffer, int length, int partNumber, CancellationToken cancellationToken)
    {
        try
        {
            var md5 = ContentMd5(buffer.AsSpan(0, length));
            var request = new UploadPartRequest
            {
                BucketName = _options.Bucket,
                Key = Key,
                UploadId = _uploadId,
                PartNumber = partNumber,
                PartSize = length,
                InputStream = new MemoryStream(buffer, 0, length, writable: false),
                // Content-MD5: verified by AWS and by every S3-compatible server (RGW verifies nothing else).
                MD5Digest = Convert.ToBase64String(md5),
            };
            var response = await S3Call.RunAsync(_options, $"upload part {partNumber} of {Key}", () => _client.UploadPartAsync(request, cancellationToken))
                .ConfigureAwait(false);
            lock (_partsGate)
            {
                _parts.Add(partNumber, (response.ETag, md5));
            }
        }
        finally
        {
            _partBuffers.Return(buffer);
        }
    }

    /// <summary>
    /// Sends what is still buffered: the last data part and the held part 1 (multipart), or keeps the only part for a
    /// single PUT; waits for every part in flight. Fails when a reserved head was never written.
    /// </summary>
    public async Task FinishDataAsync(CancellationToken cancellationToken)
    {
        if (_digest is not null)
        {
            return;
        }

        if (!_hasher.HeadComplete)
        {
            throw new BackupException($"{_options.Description}: {Key}: its first bytes were reserved but never written; the artifact is incomplete");
        }

        var pendingData = _buffer is not null && _filled > 0;
        if (_uploadId is null && !(pendingData && _heldPart1 is not null))
        {
            // Everything fits one part: the buffer being filled, or part 1 held with nothing after it.
            if (_heldPart1 is not null)
            {
                (_singlePut, _singlePutLength) = (_heldPart1, _heldPart1Length);
                _heldPart1 = null;
            }
            else
            {
                (_singlePut, _singlePutLength) = (_buffer, _filled);
                _buffer = null;
                _filled = 0;
            }
        }
        else
        {
            if (pendingData)
            {
                await SendBufferAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_heldPart1 is { } part1)
            {
                // Part 1 last: it carries the head, which was only written after the last data byte.
                _heldPart1 = null;
                await StartPartAsync(part1, _heldPart1Length, 1, cancellationToken).ConfigureAwait(false);
            }
        }

        while (_inFlight.Count > 0)
        {
            await _inFlight.Dequeue().ConfigureAwait(false);
        }

        _digest = _hasher.Finish();
    }

    /// <summary>Aborts an open multipart upload (no-op once completed); waits for the parts in flight first.</summary>
    public async Task<bool> AbortAsync()
    {
        while (_inFlight.Count > 0)
        {
            try
            {
                await _inFlight.Dequeue().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The part's own failure is what the caller reports; here we only clean up.
            }
        }

        ReturnBuffers();
        if (_uploadId is null || _completed)
        {
            return false;
        }

        var request = new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = Key, UploadId = _uploadId };
        await _client.AbortMultipartUploadAsync(request, CancellationToken.None).ConfigureAwait(false);
        _uploadId = null;
        return true;
    }

    // Content-MD5 is the S3 protocol's transport check (RFC 1864), not a security hash; SHA-256 is ours.
#pragma warning disable CA5351
    private static byte[] ContentMd5(ReadOnlySpan<byte> data) => System.Security.Cryptography.MD5.HashData(data);
#pragma warning restore CA5351

    private void ReturnBuffers()
    {
        foreach (var buffer in new[] { _buffer, _heldPart1, _singlePut })
        {
            if (buffer is not null)
            {
                _partBuffers.Return(buffer);
            }
        }

        _buffer = null;
        _heldPart1 = null;
        _singlePut = null;
        _filled = 0;
    }

    public void Dispose()
    {
        ReturnBuffers();
        _hasher.Dispose();
    }
}
