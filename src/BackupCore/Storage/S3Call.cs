using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace BackupCore.Storage;

/// <summary>
/// Runs one S3 request and turns SDK failures into a <see cref="BackupException"/> that names the store,
/// the operation and the setting to fix (Bucket, credentials, ServiceUrl, ChecksumMode). The SDK has
/// already retried throttling and 5xx by then (its retry mode). Messages never carry credentials.
/// </summary>
internal static class S3Call
{
    public static async Task<T> RunAsync<T>(S3StoreOptions options, string what, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException
                                   || (ex is TaskCanceledException tce && tce.InnerException is TimeoutException))
        {
            throw Translate(options, what, ex);
        }
    }

    public static async Task RunAsync(S3StoreOptions options, string what, Func<Task> call) =>
        await RunAsync<bool>(options, what, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    public static BackupException Translate(S3StoreOptions options, string what, Exception ex)
    {
        var where = options.Description;
        if (ex is AmazonS3Exception s3)
        {
            switch (s3.ErrorCode)
            {
                case "NoSuchBucket":
                    return new BackupException(
                        $"{where}: {what}: bucket \"{options.Bucket}\" does not exist (setting Bucket)",
                        "check the bucket name (S3 Bucket, --s3 s3://BUCKET/PREFIX) and the region/endpoint it lives in",
                        ex);
                case "InvalidBucketName":
                    return new BackupException(
                        $"{where}: {what}: the server rejects \"{options.Bucket}\" as a bucket name (setting Bucket)",
                        "bucket names are 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit",
                        ex);
                case "AccessDenied" or "AllAccessDisabled" or "AccountProblem":
                    return new BackupException(
                        $"{where}: {what}: access denied ({s3.ErrorCode}) for the configured credentials (setting credentials: AccessKeyId/SecretAccessKey or the AWS SDK default chain)",
                        "the identity needs s3:PutObject, s3:GetObject, s3:GetObjectVersion, s3:ListBucketVersions, s3:ListBucketMultipartUploads, s3:AbortMultipartUpload and s3:DeleteObjectVersion on the bucket",
                        ex);
                case "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired":
                    return new BackupException(
                        $"{where}: {what}: the server rejected the credentials ({s3.ErrorCode}) (setting credentials: AccessKeyId/SecretAccessKey or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)",
                        "check the access key id and secret (and session token) the AWS SDK default chain or the explicit settings provide",
                        ex);
                case "XAmzContentSHA256Mismatch" or "InvalidDigest" when options.EffectiveChecksumMode == S3ChecksumMode.WhenSupported:
                    return new BackupException(
                        $"{where}: {what}: the server rejected the SDK's aws-chunked body with trailing checksum ({s3.ErrorCode}) (setting ChecksumMode=WhenSupported)",
                        "S3-compatible servers (Ceph RGW, MinIO, R2, emulators) need ChecksumMode=WhenRequired",
                        ex);
                case "BadDigest" or "InvalidDigest":
                    return new BackupException(
                        $"{where}: {what}: the server received different bytes than were sent ({s3.ErrorCode}: Content-MD5 mismatch)",
                        "a proxy or the network corrupted the upload; the run was aborted and nothing was published",
                        ex);
                case "NoSuchUpload":
                    return new BackupException(
                        $"{where}: {what}: the multipart upload no longer exists (aborted by a lifecycle rule or another process?)",
                        null,
                        ex);
                case "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException":
                    return new BackupException(
                        $"{where}: {what}: the bucket is in another region ({s3.ErrorCode}) (setting Region)",
                        "set Region (or AWS_REGION) to the bucket's region",
                        ex);
            }

            return new BackupException($"{where}: {what}: {s3.ErrorCode} (HTTP {(int)s3.StatusCode}): {s3.Message}", null, ex);
        }

        if (FindNetworkFailure(ex) is { } network)
        {
            var endpoint = options.EffectiveServiceUrl ?? $"AWS S3 ({options.Region ?? "region from the AWS SDK default chain"})";
            return new BackupException(
                $"{where}: {what}: cannot reach the S3 endpoint {endpoint} (setting ServiceUrl): {network.Message}",
                "check ServiceUrl (--s3-endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL), that the server runs, and the network path",
                ex);
        }

        if (ex is AmazonServiceException service)
        {
            if (service.StatusCode == HttpStatusCode.Forbidden)
            {
                return new BackupException(
                    $"{where}: {what}: access denied (HTTP 403 {service.ErrorCode}) (setting credentials)",
                    "check the access key id and secret the AWS SDK default chain or the explicit settings provide",
                    ex);
            }

            return new BackupException($"{where}: {what}: {service.ErrorCode} (HTTP {(int)service.StatusCode}): {service.Message}", null, ex);
        }

        if (ex is AmazonClientException client)
        {
            // Typically "no credentials / no region resolved" from the SDK's default chains.
            return new BackupException(
                $"{where}: {what}: {client.Message}",
                "credentials and region come from AccessKeyId/SecretAccessKey and Region, or the AWS SDK default chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, profile, role)",
                ex);
        }

        return new BackupException($"{where}: {what}: {ex.Message}", null, ex);
    }

    private static Exception? FindNetworkFailure(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException or TimeoutException || (e is IOException && e.InnerException is SocketException))
            {
                return e;
            }
        }

        return null;
    }
}
