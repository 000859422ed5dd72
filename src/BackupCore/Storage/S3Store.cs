using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCore.Storage;

/// <summary>
/// Backups in an S3 bucket (AWS or S3-compatible), the seed's layout: <c>PREFIX/NAME.gz</c>, <c>.anon.gz</c>,
/// <c>.dump</c> and <c>PREFIX/NAME.manifest.json</c>; on a versioned bucket each run adds one version of each key.
/// Uploads stream from the writers (see <see cref="S3ArtifactUpload"/>) and are published only on commit.
/// </summary>
public sealed class S3Store : IBackupStore, IBackupReader, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly S3StoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public S3Store(S3StoreOptions options, ILogger<S3Store>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _client = S3ClientFactory.Create(options);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public string Description => _options.Description;

    public async ValueTask<IBackupPublication> BeginAsync(string targetName, string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var keys = new S3TargetKeys(_options.NormalizedPrefix, targetName);
        // Doubles as the preflight: a wrong bucket, endpoint or credentials fail here, before any data is read.
        await AbortStaleUploadsAsync(keys, cancellationToken).ConfigureAwait(false);
        await WarnWhenUnversionedAsync(cancellationToken).ConfigureAwait(false);
        return new S3Publication(_client, _options, keys, runId, _logger);
    }

    /// <summary>A killed run leaves its multipart uploads open (and billed); abort this target's older ones.</summary>
    private async Task AbortStaleUploadsAsync(S3TargetKeys keys, CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow().UtcDateTime - _options.StaleUploadAge;
        var request = new ListMultipartUploadsRequest { BucketName = _options.Bucket, Prefix = keys.KeyStart };
        while (true)
        {
            var page = await S3Call.RunAsync(_options, $"list open multipart uploads under {keys.KeyStart}", () => _client.ListMultipartUploadsAsync(request, cancellationToken))
                .ConfigureAwait(false);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                if (keys.IsOwnKey(upload.Key) && upload.Initiated is { } initiated && initiated.ToUniversalTime() < cutoff)
                {
                    var abort = new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = upload.Key, UploadId = upload.UploadId };
                    await S3Call.RunAsync(_options, $"abort stale multipart upload of {upload.Key}", () => _client.AbortMultipartUploadAsync(abort, cancellationToken))
                        .ConfigureAwait(false);
                    Log.StaleUploadAborted(_logger, _options.Description, upload.Key, initiated);
                }
            }

            if (page.IsTruncated != true)
            {
                return;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }
    }

    private async Task WarnWhenUnversionedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = _options.Bucket }, cancellationToken).ConfigureAwait(false);
            var status = response.VersioningConfig?.Status?.Value;
            if (status != VersionStatus.Enabled.Value)
            {
                Log.VersioningOff(_logger, _options.Description, status ?? "off");
            }
        }
        catch (AmazonS3Exception)
        {
            // Reading the versioning state needs s3:GetBucketVersioning, which a write-only identity may lack.
        }
    }

    public async ValueTask<IReadOnlyList<string>> ListTargetsAsync(CancellationToken cancellationToken)
    {
        const string suffix = ".manifest.json";
        var folder = _options.NormalizedPrefix.Length == 0 ? "" : _options.NormalizedPrefix + "/";
        var targets = new SortedSet<string>(StringComparer.Ordinal);

        // The current manifests directly under the prefix; the delimiter keeps deeper "folders" out of the listing.
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = folder, Delimiter = "/" };
        while (true)
        {
            var page = await S3Call.RunAsync(_options, $"list the manifests under {folder}", () => _client.ListObjectsV2Async(request, cancellationToken))
                .ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? [])
            {
                if (o.Key.EndsWith(suffix, StringComparison.Ordinal) && o.Key[folder.Length..^suffix.Length] is var name && TargetName.IsValid(name))
                {
                    targets.Add(name);
                }
            }

            if (page.IsTruncated != true)
            {
                break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }

        return [.. targets];
    }

    public async ValueTask<IReadOnlyList<BackupVersion>> ListVersionsAsync(string targetName, CancellationToken cancellationToken)
    {
        var keys = new S3TargetKeys(_options.NormalizedPrefix, targetName);
        var result = new List<BackupVersion>();
        var request = new ListVersionsRequest { BucketName = _options.Bucket, Prefix = keys.Manifest };
        while (true)
        {
            var page = await S3Call.RunAsync(_options, $"list versions of {keys.Manifest}", () => _client.ListVersionsAsync(request, cancellationToken))
                .ConfigureAwait(false);
            foreach (var v in page.Versions ?? [])
            {
                if (v.Key == keys.Manifest && v.IsDeleteMarker != true)
                {
                    var time = v.LastModified is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
                    result.Add(new BackupVersion(keys.Target, v.VersionId ?? "null", time, v.IsLatest == true, v.Size ?? 0));
                }
            }

            if (page.IsTruncated != true)
            {
                break;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }

        return [.. result.OrderByDescending(v => v.IsLatest).ThenByDescending(v => v.Time)];
    }

    public async ValueTask<BackupManifest> GetManifestAsync(string targetName, string? versionId, CancellationToken cancellationToken)
    {
        var keys = new S3TargetKeys(_options.NormalizedPrefix, targetName);
        var request = new GetObjectRequest { BucketName = _options.Bucket, Key = keys.Manifest, VersionId = versionId };
        var what = versionId is null ? $"read manifest {keys.Manifest}" : $"read manifest {keys.Manifest} version {versionId}";
        var bytes = await S3Call.RunAsync(_options, what, async () =>
        {
            using var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            using var memory = new MemoryStream();
            await response.ResponseStream.CopyToAsync(memory, cancellationToken).ConfigureAwait(false);
            return memory.ToArray();
        }).ConfigureAwait(false);
        return BackupManifest.FromJson(bytes, $"{_options.Description}/{keys.Manifest}" + (versionId is null ? "" : $" version {versionId}"));
    }

    public async ValueTask<Stream> OpenReadAsync(string key, string? versionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var request = new GetObjectRequest { BucketName = _options.Bucket, Key = key, VersionId = versionId };
        var response = await S3Call.RunAsync(_options, versionId is null ? $"read {key}" : $"read {key} version {versionId}", () => _client.GetObjectAsync(request, cancellationToken))
            .ConfigureAwait(false);
        return response.ResponseStream;
    }

    public void Dispose() => _client.Dispose();
}
