using Amazon.Runtime;

namespace BackupCore.Storage;

/// <summary>
/// Settings of the S3 store. Bound once from configuration or the CLI, then <see cref="Validate"/>d;
/// every validation error names the setting. Secrets (<see cref="SecretAccessKey"/>) are never logged
/// and never appear in messages or in <see cref="ToString"/>.
/// </summary>
public sealed class S3StoreOptions
{
    /// <summary>The S3 minimum part size (except the last part): 5 MiB.</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>The S3 maximum part size: 5 GiB (we cap lower, at the largest pooled array .NET hands out).</summary>
    public const long MaximumPartSize = 5L * 1024 * 1024 * 1024;

    /// <summary>Bucket name (required, at least 3 characters).</summary>
    public string Bucket { get; set; } = "";

    /// <summary>Key prefix ("folder"); keys are <c>PREFIX/NAME.gz</c>. Default "db", as the seed's <c>S3_PATH</c>.</summary>
    public string Prefix { get; set; } = "db";

    /// <summary>
    /// AWS region (e.g. eu-west-1). Empty: the SDK's default chain (profile), or us-east-1 with a <see cref="ServiceUrl"/>.
    /// The hosts fill it from <c>AWS_REGION</c> (<see cref="Configuration.HostEnvironment"/>).
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// Endpoint of an S3-compatible server (http://127.0.0.1:7480). Empty: AWS. The hosts fill it from
    /// <c>AWS_ENDPOINT_URL_S3</c> / <c>AWS_ENDPOINT_URL</c> (<see cref="Configuration.HostEnvironment"/>).
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>). Default: on when a <see cref="ServiceUrl"/> is set.</summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary><c>AES256</c> (default), <c>aws:kms</c> (with <see cref="KmsKeyId"/>), or <c>none</c> for servers that reject SSE headers.</summary>
    public string ServerSideEncryption { get; set; } = "AES256";

    /// <summary>KMS key id or ARN for <c>aws:kms</c>; empty uses the account's default key.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>Storage class (STANDARD, STANDARD_IA, ...); empty: the bucket's default.</summary>
    public string? StorageClass { get; set; }

    /// <summary>See <see cref="S3ChecksumMode"/>. Default: WhenRequired with a <see cref="ServiceUrl"/>, WhenSupported for AWS.</summary>
    public S3ChecksumMode? ChecksumMode { get; set; }

    /// <summary>After upload, GET each artifact's exact version back and compare its SHA-256 (a HEAD check always runs).</summary>
    public bool VerifyUpload { get; set; }

    /// <summary>First part size of multipart uploads (default 8 MiB, at least 5 MiB); it grows so an artifact stays under 10,000 parts.</summary>
    public int MinPartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Explicit access key id; empty: the AWS SDK's default credential chain (env <c>AWS_ACCESS_KEY_ID</c>, profile, instance role...).</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>Secret for <see cref="AccessKeyId"/>. Never logged.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>Optional session token for temporary explicit credentials. Never logged.</summary>
    public string? SessionToken { get; set; }

    /// <summary>
    /// Credentials object used instead of the keys above and the default chain (the Functions app passes its
    /// Entra ID web-identity credentials here). Never logged.
    /// </summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>SDK retry mode for throttling and 5xx (500, 503 SlowDown): Standard (default) or Adaptive.</summary>
    public RequestRetryMode RetryMode { get; set; } = RequestRetryMode.Standard;

    /// <summary>Attempts per request including the first (default 5).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// How long one request may wait for the server's answer (per attempt); null: the SDK's default (100 s). Readers set
    /// it short so an endpoint that accepts connections but never answers fails soon; uploads keep the default, since a
    /// large part takes long on a slow link.
    /// </summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>Multipart uploads of this target's keys older than this are aborted when a run starts (leftovers of killed runs).</summary>
    public TimeSpan StaleUploadAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The endpoint actually used: <see cref="ServiceUrl"/> trimmed, null when empty (AWS).</summary>
    public string? EffectiveServiceUrl => FirstNonEmpty(ServiceUrl);

    public bool EffectiveForcePathStyle => ForcePathStyle ?? EffectiveServiceUrl is not null;

    public S3ChecksumMode EffectiveChecksumMode =>
        ChecksumMode ?? (EffectiveServiceUrl is null ? S3ChecksumMode.WhenSupported : S3ChecksumMode.WhenRequired);

    /// <summary>The prefix without leading/trailing slashes ("" for the bucket root).</summary>
    public string NormalizedPrefix => Prefix.Trim('/');

    /// <summary>"s3://bucket/prefix" (plus the endpoint when not AWS), for messages.</summary>
    public string Description
    {
        get
        {
            var url = NormalizedPrefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{NormalizedPrefix}";
            return EffectiveServiceUrl is { } endpoint ? $"{url} at {endpoint}" : url;
        }
    }

    public override string ToString() => Description;

    /// <summary>Options for an <c>s3://BUCKET/PREFIX</c> URL (the CLI's <c>--s3</c>); the prefix defaults to "db" when the URL has none.</summary>
    public static S3StoreOptions FromUrl(string s3Url)
    {
        ArgumentNullException.ThrowIfNull(s3Url);
        if (!s3Url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) || s3Url.Length == "s3://".Length)
        {
            throw new BackupException($"--s3 \"{s3Url}\" is not an s3://BUCKET/PREFIX URL (setting Bucket)", "e.g. --s3 s3://infinite-industries-backups/db");
        }

        var rest = s3Url["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var options = new S3StoreOptions { Bucket = slash < 0 ? rest : rest[..slash] };
        if (slash >= 0)
        {
            options.Prefix = rest[(slash + 1)..].Trim('/');
        }

        return options;
    }

    /// <summary>Throws a <see cref="BackupException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            throw Invalid(nameof(Bucket), "is required", "give the bucket, e.g. --s3 s3://BUCKET/PREFIX");
        }

        if (Bucket.Length < 3 || Bucket.Length > 63 || Bucket.Contains('/', StringComparison.Ordinal) || Bucket.Any(char.IsWhiteSpace))
        {
            throw Invalid(nameof(Bucket), $"\"{Bucket}\" is not a bucket name (3-63 characters, no '/' or spaces)");
        }

        // S3's naming rules: checked here because servers answer a bad name with errors that point elsewhere
        // (AWS: SignatureDoesNotMatch for virtual-hosted style, RGW: NoSuchBucket).
        if (!Bucket.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-') || !char.IsAsciiLetterOrDigit(Bucket[0]) || !char.IsAsciiLetterOrDigit(Bucket[^1]))
        {
            throw Invalid(nameof(Bucket), $"\"{Bucket}\" is not a valid bucket name", "bucket names are 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit");
        }

        if (NormalizedPrefix.Contains("//", StringComparison.Ordinal))
        {
            throw Invalid(nameof(Prefix), $"\"{Prefix}\" contains an empty path segment");
        }

        if (EffectiveServiceUrl is { } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            throw Invalid(nameof(ServiceUrl), $"\"{url}\" is not an http(s) URL");
        }

        var sse = ServerSideEncryption.Trim();
        if (!sse.Equals("AES256", StringComparison.OrdinalIgnoreCase)
            && !sse.Equals("aws:kms", StringComparison.OrdinalIgnoreCase)
            && !sse.Equals("none", StringComparison.OrdinalIgnoreCase)
            && sse.Length != 0)
        {
            throw Invalid(nameof(ServerSideEncryption), $"\"{ServerSideEncryption}\" is not one of AES256, aws:kms, none");
        }

        if (!string.IsNullOrEmpty(KmsKeyId) && !sse.Equals("aws:kms", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(nameof(KmsKeyId), "is set but ServerSideEncryption is not aws:kms");
        }

        if (MinPartSize < MinimumPartSize)
        {
            throw Invalid(nameof(MinPartSize), $"{MinPartSize} is below the S3 minimum part size {MinimumPartSize} (5 MiB)");
        }

        if (string.IsNullOrEmpty(AccessKeyId) != string.IsNullOrEmpty(SecretAccessKey))
        {
            throw Invalid(
                string.IsNullOrEmpty(AccessKeyId) ? nameof(AccessKeyId) : nameof(SecretAccessKey),
                "must be given together with " + (string.IsNullOrEmpty(AccessKeyId) ? nameof(SecretAccessKey) : nameof(AccessKeyId)),
                "set both, or neither to use the AWS SDK's default credential chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profile, role)");
        }

        if (MaxAttempts < 1)
        {
            throw Invalid(nameof(MaxAttempts), $"{MaxAttempts} is below 1");
        }

        if (RequestTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw Invalid(nameof(RequestTimeout), "must be positive");
        }

        if (StaleUploadAge < TimeSpan.Zero)
        {
            throw Invalid(nameof(StaleUploadAge), "is negative");
        }
    }

    internal bool UsesKms => ServerSideEncryption.Trim().Equals("aws:kms", StringComparison.OrdinalIgnoreCase);

    internal bool UsesSse => ServerSideEncryption.Trim() is { Length: > 0 } s && !s.Equals("none", StringComparison.OrdinalIgnoreCase);

    private static BackupException Invalid(string setting, string problem, string? hint = null) =>
        new($"S3 setting {setting} {problem}", hint);

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
