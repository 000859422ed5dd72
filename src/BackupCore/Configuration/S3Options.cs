using BackupCore.Storage;

namespace BackupCore.Configuration;

/// <summary>
/// The S3 settings of the options tree (app settings <c>Backup__S3__...</c>): the store's own
/// <see cref="S3StoreOptions"/> plus what only a hosted app needs (<see cref="RoleArn"/>). Credentials are
/// not settings: the AWS SDK's default chain (environment, web identity) finds them.
/// </summary>
public sealed class S3Options
{
    /// <summary>Bucket name; empty turns the S3 store off.</summary>
    public string? Bucket { get; set; }

    /// <summary>Key prefix; keys are <c>PREFIX/NAME.gz</c> (the seed's <c>s3://infinite-industries-backups/db/</c>).</summary>
    public string Prefix { get; set; } = "db";

    /// <summary>Empty: the SDK's default (<c>AWS_REGION</c>), or us-east-1 with a <see cref="ServiceUrl"/>.</summary>
    public string? Region { get; set; }

    /// <summary>A non-AWS endpoint (the local S3 server of the tests and the demo).</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Path-style addressing; default: on when <see cref="ServiceUrl"/> is set.</summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary><c>AES256</c> (default), <c>aws:kms</c> (with <see cref="KmsKeyId"/>), or <c>none</c>.</summary>
    public string ServerSideEncryption { get; set; } = "AES256";

    public string? KmsKeyId { get; set; }

    /// <summary>e.g. <c>STANDARD</c>, <c>STANDARD_IA</c>; empty = the bucket's default.</summary>
    public string? StorageClass { get; set; }

    /// <summary><c>WhenSupported</c> (AWS) or <c>WhenRequired</c> (S3-compatible servers); default by endpoint.</summary>
    public S3ChecksumMode? ChecksumMode { get; set; }

    /// <summary>Read every object back after upload and compare its SHA-256.</summary>
    public bool VerifyUpload { get; set; }

    /// <summary>
    /// The IAM role the app assumes with its Azure identity (web identity federation). The AWS SDK takes it
    /// from <c>AWS_ROLE_ARN</c> with <c>AWS_WEB_IDENTITY_TOKEN_FILE</c>; see docs/functions.md.
    /// </summary>
    public string? RoleArn { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Bucket);

    public S3StoreOptions ToStoreOptions() => new()
    {
        Bucket = Bucket ?? "",
        Prefix = Prefix,
        Region = Region,
        ServiceUrl = ServiceUrl,
        ForcePathStyle = ForcePathStyle,
        ServerSideEncryption = ServerSideEncryption,
        KmsKeyId = KmsKeyId,
        StorageClass = StorageClass,
        ChecksumMode = ChecksumMode,
        VerifyUpload = VerifyUpload,
    };
}
