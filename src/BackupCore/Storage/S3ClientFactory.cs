using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;

namespace BackupCore.Storage;

/// <summary>Builds the SDK client from validated <see cref="S3StoreOptions"/>.</summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(S3StoreOptions options)
    {
        options.Validate();
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.EffectiveForcePathStyle,
            RetryMode = options.RetryMode,
            MaxErrorRetry = options.MaxAttempts - 1,
            // See S3ChecksumMode: SDK v4's default aws-chunked bodies with trailing checksums break RGW and others.
            RequestChecksumCalculation = options.EffectiveChecksumMode == S3ChecksumMode.WhenRequired
                ? RequestChecksumCalculation.WHEN_REQUIRED
                : RequestChecksumCalculation.WHEN_SUPPORTED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.RequestTimeout is { } timeout)
        {
            config.Timeout = timeout;
        }

        if (options.EffectiveServiceUrl is { } url)
        {
            config.ServiceURL = url;
            // Any SigV4 region signs for an S3-compatible server; us-east-1 when none is given (the hosts fill AWS_REGION in).
            config.AuthenticationRegion = NonEmpty(options.Region) ?? "us-east-1";
        }
        else if (NonEmpty(options.Region) is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        try
        {
            if (options.Credentials is { } given)
            {
                return new AmazonS3Client(given, config);
            }

            if (!string.IsNullOrEmpty(options.AccessKeyId))
            {
                AWSCredentials credentials = string.IsNullOrEmpty(options.SessionToken)
                    ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
                    : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken);
                return new AmazonS3Client(credentials, config);
            }

            return new AmazonS3Client(DefaultAWSCredentialsIdentityResolver.GetCredentials(config), config);
        }
        catch (AmazonClientException ex)
        {
            throw new BackupException(
                $"{options.Description}: cannot set up the S3 client: {ex.Message} (settings Region, credentials)",
                "set Region or AWS_REGION, and AccessKeyId/SecretAccessKey or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or a profile / role)",
                ex);
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
