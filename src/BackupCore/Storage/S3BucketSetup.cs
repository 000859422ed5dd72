using Amazon.S3;
using Amazon.S3.Model;

namespace BackupCore.Storage;

/// <summary>
/// Prepares a bucket the way infra/aws/backup-bucket.yaml describes it: versioning on, and the seed's
/// lifecycle rule (45 newer noncurrent versions kept, older ones expire after a day; incomplete
/// multipart uploads aborted after a day). For local S3-compatible servers and first-time setups; in AWS
/// the CloudFormation template owns the bucket.
/// </summary>
public static class S3BucketSetup
{
    public const int NoncurrentVersionsKept = 45;

    public static async Task<bool> EnsureAsync(S3StoreOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var client = S3ClientFactory.Create(options);
        var created = false;
        try
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = options.Bucket }, cancellationToken);
            created = true;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou")
        {
        }
        catch (AmazonS3Exception ex)
        {
            throw new BackupException($"{options.Description}: cannot create bucket ({ex.ErrorCode}: {ex.Message}) (setting Bucket)", null, ex);
        }

        await client.PutBucketVersioningAsync(
            new PutBucketVersioningRequest
            {
                BucketName = options.Bucket,
                VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
            },
            cancellationToken);
        var prefix = options.NormalizedPrefix.Length == 0 ? "" : options.NormalizedPrefix + "/";
        await client.PutLifecycleConfigurationAsync(
            new PutLifecycleConfigurationRequest
            {
                BucketName = options.Bucket,
                Configuration = new LifecycleConfiguration
                {
                    Rules =
                    [
                        new LifecycleRule
                        {
                            Id = "delete old db backups",
                            Status = LifecycleRuleStatus.Enabled,
                            Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = prefix } },
                            NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = 1, NewerNoncurrentVersions = NoncurrentVersionsKept },
                            AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = 1 },
                        },
                    ],
                },
            },
            cancellationToken);
        return created;
    }
}
