namespace BackupCore.Configuration;

/// <summary>
/// Where and how artifacts are uploaded to S3 (app settings <c>Backup__S3__...</c>). Credentials are not
/// settings: the AWS SDK's default chain (environment, web identity with <see cref="RoleArn"/>) finds them.
/// </summary>
public sealed class S3Options
{
    /// <summary>Bucket name; empty turns the S3 store off.</summary>
    public string? Bucket { get; set; }

    /// <summary>Key prefix, e.g. <c>db/</c> (the seed job's <c>s3://infinite-industries-backups/db/</c>).</summary>
    public string? Prefix { get; set; }

    public string? Region { get; set; }

    /// <summary>A non-AWS endpoint (a local S3 server for tests and the demo).</summary>
    public string? ServiceUrl { get; set; }

    public bool ForcePathStyle { get; set; }

    /// <summary><c>AES256</c> or <c>aws:kms</c>; empty = the bucket's default.</summary>
    public string? ServerSideEncryption { get; set; }

    public string? KmsKeyId { get; set; }

    /// <summary>e.g. <c>STANDARD</c>, <c>STANDARD_IA</c>; empty = the bucket's default.</summary>
    public string? StorageClass { get; set; }

    /// <summary>Upload checksum algorithm, e.g. <c>SHA256</c> or <c>CRC32</c>.</summary>
    public string? ChecksumMode { get; set; }

    /// <summary>Read every object back after upload and compare its SHA-256.</summary>
    public bool VerifyUpload { get; set; }

    /// <summary>The IAM role assumed with the Azure managed identity's token (web identity federation).</summary>
    public string? RoleArn { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Bucket);
}
