using System.Buffers;
using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;

namespace BackupCore.Storage;

/// <summary>The publish phase of an artifact's upload: making it visible, then reading it back to prove what S3 stored.</summary>
internal sealed partial class S3ArtifactUpload
{
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
                PartETags = [.. _parts.Select(p => new PartETag(p.Key, p.Value.ETag))],
            };
            var response = await S3Call.RunAsync(_options, $"complete multipart upload of {Key}", () => _client.CompleteMultipartUploadAsync(complete, cancellationToken))
                .ConfigureAwait(false);
            _completed = true;
            // RGW 16 returns an empty ETag here (fixed in later releases); the HEAD check reads the real one.
            VersionId = NullIfEmpty(response.VersionId);
        }
        else
        {
            var bytes = _singlePut is null ? Memory<byte>.Empty : _singlePut.AsMemory(0, _singlePutLength);
            _singlePutMd5 = ContentMd5(bytes.Span);
            var put = new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = Key,
                ContentType = ArtifactNames.ContentType(Kind),
                InputStream = new MemoryStream(_singlePut ?? [], 0, _singlePutLength, writable: false),
                MD5Digest = Convert.ToBase64String(_singlePutMd5),
            };
            put.Metadata.Add("run-id", _runId);
            put.Metadata.Add("sha256", Sha256Hex);
            if (Head is { } head)
            {
                put.Metadata.Add("head-sha256", head.Sha256);
            }

            S3ObjectPlacement.ApplyTo(put, _options);
            if (_options.EffectiveChecksumMode == S3ChecksumMode.WhenSupported)
            {
                // AWS then checks a SHA-256 of the whole object on arrival.
                put.ChecksumAlgorithm = ChecksumAlgorithm.SHA256;
            }

            var response = await S3Call.RunAsync(_options, $"upload {Key}", () => _client.PutObjectAsync(put, cancellationToken)).ConfigureAwait(false);
            VersionId = NullIfEmpty(response.VersionId);
            ReturnBuffers();
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

        if (!IsMultipart && Head is not null && meta.Metadata["head-sha256"] is { Length: > 0 } storedHead && storedHead != Head.Sha256)
        {
            throw new BackupException($"{_options.Description}: {Key} version {VersionId}: stored head-sha256 metadata {storedHead} differs from {Head.Sha256}");
        }

        if (_options.VerifyUpload)
        {
            var get = new GetObjectRequest { BucketName = _options.Bucket, Key = Key, VersionId = VersionId };
            var (size, sha, readHead) = await S3Call.RunAsync(_options, $"download {Key} to verify it", async () =>
            {
                using var response = await _client.GetObjectAsync(get, cancellationToken).ConfigureAwait(false);
                using var hasher = ArtifactHasher.ForReading(Head);
                var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    int n;
                    while ((n = await response.ResponseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hasher.Append(buffer.AsSpan(0, n));
                    }

                    return hasher.Finish();
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }).ConfigureAwait(false);
            if (size != Size || sha != Sha256Hex || readHead?.Sha256 != Head?.Sha256)
            {
                throw new BackupException($"{_options.Description}: {Key} version {VersionId}: downloaded {size} bytes that do not hash as the {Size} bytes written (SHA-256 {sha} against {Sha256Hex}{(Head is null ? "" : $", head {readHead?.Sha256} against {Head.Sha256}")})");
            }
        }
    }

    private string ExpectedETag()
    {
        if (!IsMultipart)
        {
            return Convert.ToHexStringLower(_singlePutMd5 ?? []);
        }

        var all = _parts.Values.SelectMany(p => p.Md5).ToArray();
        return Convert.ToHexStringLower(ContentMd5(all)) + "-" + _parts.Count.ToString(CultureInfo.InvariantCulture);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) || value == "null" ? null : value;
}
