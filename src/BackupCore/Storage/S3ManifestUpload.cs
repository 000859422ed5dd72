using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace BackupCore.Storage;

/// <summary>The manifest's single PUT (the commit record, always last) and its read-back by exact version.</summary>
internal static class S3ManifestUpload
{
    public static async Task<string?> PublishAsync(IAmazonS3 client, S3StoreOptions options, string key, string runId, byte[] json, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(json));
#pragma warning disable CA5351 // Content-MD5 is S3's transport check (RFC 1864), not a security hash.
        var md5 = MD5.HashData(json);
#pragma warning restore CA5351
        var put = new PutObjectRequest
        {
            BucketName = options.Bucket,
            Key = key,
            ContentType = "application/json",
            InputStream = new MemoryStream(json, writable: false),
            MD5Digest = Convert.ToBase64String(md5),
        };
        put.Metadata.Add("run-id", runId);
        put.Metadata.Add("sha256", sha256);
        S3ObjectPlacement.ApplyTo(put, options, storageClass: false);

        var response = await S3Call.RunAsync(options, $"upload manifest {key}", () => client.PutObjectAsync(put, cancellationToken)).ConfigureAwait(false);
        var version = string.IsNullOrEmpty(response.VersionId) || response.VersionId == "null" ? null : response.VersionId;
        var head = new GetObjectMetadataRequest { BucketName = options.Bucket, Key = key, VersionId = version };
        var meta = await S3Call.RunAsync(options, $"read back manifest {key}", () => client.GetObjectMetadataAsync(head, cancellationToken)).ConfigureAwait(false);
        if (meta.ContentLength != json.Length || meta.Metadata["sha256"] != sha256)
        {
            if (version is not null)
            {
                // Take the bad record back so the previous manifest is current again.
                await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = options.Bucket, Key = key, VersionId = version }, CancellationToken.None).ConfigureAwait(false);
            }

            throw new BackupException($"{options.Description}: manifest {key} version {version}: stored {meta.ContentLength} bytes / sha256 {meta.Metadata["sha256"]} instead of {json.Length} / {sha256}");
        }

        return version;
    }
}
