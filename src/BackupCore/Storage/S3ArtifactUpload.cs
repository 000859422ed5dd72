using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace BackupCore.Storage;

/// <summary>
/// One artifact's upload: bytes are buffered one part at a time (pooled arrays; at most the part being
/// filled plus the part in flight), full parts go out as multipart parts while the writer keeps writing,
/// and an artifact that never fills one part is held and sent as a single PUT. Nothing becomes visible
/// until <see cref="PublishAsync"/> (CompleteMultipartUpload or the PUT), which the publication calls only
/// when every artifact of the run has been written. SHA-256 and size are computed while streaming.
/// </summary>
internal sealed class S3ArtifactUpload : IDisposable
{
    private readonly IAmazonS3 _client;
    private readonly S3StoreOptions _options;
    private readonly string _runId;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<PartETag> _parts = [];
    // S3's multipart ETag is MD5(concatenated part MD5s)-N: kept to check what HEAD returns.
    private readonly List<byte[]> _partMd5s = [];
    private byte[]? _buffer;
    private int _filled;
    private int _partsStarted;
    private Task? _inFlight;
    private string? _uploadId;
    private string? _sha256Hex;
    private bool _completed;

    public S3ArtifactUpload(IAmazonS3 client, S3StoreOptions options, ArtifactKind kind, string key, string runId)
    {
        _client = client;
        _options = options;
        Kind = kind;
        Key = key;
        _runId = runId;
    }

    public ArtifactKind Kind { get; }

    public string Key { get; }

    public long Size { get; private set; }

    /// <summary>Set by the writer disposing its stream: no more bytes will come.</summary>
    public bool WriterClosed { get; set; }

    public bool IsMultipart => _uploadId is not null;

    public int PartCount => _parts.Count;

    /// <summary>The published version (null on an unversioned bucket, or before <see cref="PublishAsync"/>).</summary>
    public string? VersionId { get; private set; }

    public bool Published { get; private set; }

    public string Sha256Hex => _sha256Hex ?? throw new InvalidOperationException("artifact not finished");

    private int NextPartSize => S3PartSizing.PartSize(_options.MinPartSize, _partsStarted + 1);

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (WriterClosed)
        {
            throw new ObjectDisposedException(Key);
        }

        _sha256.AppendData(data.Span);
        Size += data.Length;
        while (!data.IsEmpty)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(NextPartSize);
            var room = NextPartSize - _filled;
            var n = Math.Min(room, data.Length);
            data.Span[..n].CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == NextPartSize)
            {
                await SendFullPartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan InitiateTimeout = TimeSpan.FromSeconds(60);

    private async Task SendFullPartAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            var initiate = new InitiateMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = Key,
                ContentType = ArtifactNames.ContentType(Kind),
            };
            initiate.Metadata.Add("run-id", _runId);
            ApplyPlacement(initiate);
            // Not cancelled by the run's token: a request cancelled in flight can still create the upload on the server,
            // and an upload whose id we never learn cannot be aborted. Bounded instead, then the token is honoured.
            using var bounded = new CancellationTokenSource(InitiateTimeout);
            var response = await S3Call.RunAsync(_options, $"start multipart upload of {Key}", () => _client.InitiateMultipartUploadAsync(initiate, bounded.Token))
                .ConfigureAwait(false);
            _uploadId = response.UploadId;
            cancellationToken.ThrowIfCancellationRequested();
        }

        // At most one part in flight: wait for the previous one before sending this one.
        if (_inFlight is not null)
        {
            var previous = _inFlight;
            _inFlight = null;
            await previous.ConfigureAwait(false);
        }

        var buffer = _buffer!;
        var length = _filled;
        _buffer = null;
        _filled = 0;
        _inFlight = UploadPartAsync(buffer, length, ++_partsStarted, cancellationToken);
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
            _parts.Add(new PartETag(partNumber, response.ETag));
            _partMd5s.Add(md5);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends what is still buffered as the last part (multipart only) and waits for the part in flight.</summary>
    public async Task FinishDataAsync(CancellationToken cancellationToken)
    {
        if (_inFlight is not null)
        {
            var previous = _inFlight;
            _inFlight = null;
            await previous.ConfigureAwait(false);
        }

        if (_uploadId is not null && _filled > 0)
        {
            var buffer = _buffer!;
            var length = _filled;
            _buffer = null;
            _filled = 0;
            await UploadPartAsync(buffer, length, ++_partsStarted, cancellationToken).ConfigureAwait(false);
        }

        _sha256Hex ??= Convert.ToHexStringLower(_sha256.GetHashAndReset());
    }

    /// <summary>Makes the artifact visible: CompleteMultipartUpload, or the single PUT of the held bytes.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is not null)
        {
            var complete = new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = Key,
                UploadId = _uploadId,
                PartETags = [.. _parts],
            };
            var response = await S3Call.RunAsync(_options, $"complete multipart upload of {Key}", () => _client.CompleteMultipartUploadAsync(complete, cancellationToken))
                .ConfigureAwait(false);
            _completed = true;
            // RGW 16 returns an empty ETag here (fixed in later releases); the HEAD check reads the real one.
            VersionId = NullIfEmpty(response.VersionId);
        }
        else
        {
            var bytes = _buffer is null ? Memory<byte>.Empty : _buffer.AsMemory(0, _filled);
            var md5 = ContentMd5(bytes.Span);
            _partMd5s.Add(md5);
            var put = new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = Key,
                ContentType = ArtifactNames.ContentType(Kind),
                InputStream = new MemoryStream(_buffer ?? [], 0, _filled, writable: false),
                MD5Digest = Convert.ToBase64String(md5),
            };
            put.Metadata.Add("run-id", _runId);
            put.Metadata.Add("sha256", Sha256Hex);
            ApplyPlacement(put);
            if (_options.EffectiveChecksumMode == S3ChecksumMode.WhenSupported)
            {
                // AWS then checks a SHA-256 of the whole object on arrival.
                put.ChecksumAlgorithm = ChecksumAlgorithm.SHA256;
            }

            var response = await S3Call.RunAsync(_options, $"upload {Key}", () => _client.PutObjectAsync(put, cancellationToken)).ConfigureAwait(false);
            VersionId = NullIfEmpty(response.VersionId);
            ReturnBuffer();
        }

        Published = true;
    }

    /// <summary>HEAD of the exact version: size, ETag (MD5 of the object or of its parts) and our sha256 metadata.</summary>
    public async Task VerifyAsync(CancellationToken cancellationToken)
    {
        var head = new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = Key, VersionId = VersionId };
        var meta = await S3Call.RunAsync(_options, $"read back {Key}", () => _client.GetObjectMetadataAsync(head, cancellationToken)).ConfigureAwait(false);
        if (meta.ContentLength != Size)
        {
            throw new BackupException($"{_options.Description}: {Key} version {VersionId}: stored size {meta.ContentLength} differs from the {Size} bytes written");
        }

        // SSE-KMS ETags are not MD5s (S3 documentation, "Checking object integrity").
        if (!_options.UsesKms && !string.Equals(meta.ETag?.Trim('"'), ExpectedETag(), StringComparison.OrdinalIgnoreCase))
        {
            throw new BackupException($"{_options.Description}: {Key} version {VersionId}: stored ETag {meta.ETag} differs from the {ExpectedETag()} of the bytes written");
        }

        if (!IsMultipart && meta.Metadata["sha256"] is { Length: > 0 } stored && stored != Sha256Hex)
        {
            throw new BackupException($"{_options.Description}: {Key} version {VersionId}: stored sha256 metadata {stored} differs from {Sha256Hex}");
        }

        if (_options.VerifyUpload)
        {
            var get = new GetObjectRequest { BucketName = _options.Bucket, Key = Key, VersionId = VersionId };
            var (size, sha) = await S3Call.RunAsync(_options, $"download {Key} to verify it", async () =>
            {
                using var response = await _client.GetObjectAsync(get, cancellationToken).ConfigureAwait(false);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    long total = 0;
                    int n;
                    while ((n = await response.ResponseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        total += n;
                    }

                    return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }).ConfigureAwait(false);
            if (size != Size || sha != Sha256Hex)
            {
                throw new BackupException($"{_options.Description}: {Key} version {VersionId}: downloaded {size} bytes with SHA-256 {sha}, but {Size} bytes with SHA-256 {Sha256Hex} were written");
            }
        }
    }

    /// <summary>Aborts an open multipart upload (no-op once completed). Never throws: it runs on failure paths.</summary>
    public async Task<bool> AbortAsync()
    {
        if (_inFlight is not null)
        {
            try
            {
                await _inFlight.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The part's own failure is what the caller reports; here we only clean up.
            }

            _inFlight = null;
        }

        ReturnBuffer();
        if (_uploadId is null || _completed)
        {
            return false;
        }

        var request = new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = Key, UploadId = _uploadId };
        await _client.AbortMultipartUploadAsync(request, CancellationToken.None).ConfigureAwait(false);
        _uploadId = null;
        return true;
    }

    private string ExpectedETag()
    {
        if (!IsMultipart && _partMd5s.Count == 1)
        {
            return Convert.ToHexStringLower(_partMd5s[0]);
        }

        var all = _partMd5s.SelectMany(m => m).ToArray();
        return Convert.ToHexStringLower(ContentMd5(all)) + "-" + _partMd5s.Count.ToString(CultureInfo.InvariantCulture);
    }

    private void ApplyPlacement(PutObjectRequest request)
    {
        if (_options.UsesSse)
        {
            request.ServerSideEncryptionMethod = new ServerSideEncryptionMethod(SseName());
            if (_options.UsesKms && !string.IsNullOrEmpty(_options.KmsKeyId))
            {
                request.ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId;
            }
        }

        if (!string.IsNullOrWhiteSpace(_options.StorageClass))
        {
            request.StorageClass = new S3StorageClass(_options.StorageClass.Trim());
        }
    }

    private void ApplyPlacement(InitiateMultipartUploadRequest request)
    {
        if (_options.UsesSse)
        {
            request.ServerSideEncryptionMethod = new ServerSideEncryptionMethod(SseName());
            if (_options.UsesKms && !string.IsNullOrEmpty(_options.KmsKeyId))
            {
                request.ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId;
            }
        }

        if (!string.IsNullOrWhiteSpace(_options.StorageClass))
        {
            request.StorageClass = new S3StorageClass(_options.StorageClass.Trim());
        }
    }

    private string SseName() => _options.UsesKms ? "aws:kms" : "AES256";

    // Content-MD5 is the S3 protocol's transport check (RFC 1864), not a security hash; SHA-256 is ours.
#pragma warning disable CA5351
    private static byte[] ContentMd5(ReadOnlySpan<byte> data) => MD5.HashData(data);
#pragma warning restore CA5351

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) || value == "null" ? null : value;

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _filled = 0;
        }
    }

    public void Dispose()
    {
        ReturnBuffer();
        _sha256.Dispose();
    }
}
