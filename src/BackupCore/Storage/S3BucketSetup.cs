using Amazon.S3;
using Amazon.S3.Model;

namespace BackupCore.Storage;

/// <summary>What <see cref="S3BucketSetup.EnsureAsync"/> did and what the server stored.</summary>
/// <param name="Created">The bucket was created (it did not exist).</param>
/// <param name="RuleId">The id of the lifecycle rule for this prefix.</param>
/// <param name="Replaced">A rule of ours for this prefix was there before and was replaced.</param>
/// <param name="OtherRules">Rules of the configuration that were kept as they were.</param>
/// <param name="Differences">What the server stored other than asked (read back), each a sentence; empty when it stored the rule as asked.</param>
public sealed record BucketSetupResult(bool Created, string RuleId, bool Replaced, int OtherRules, IReadOnlyList<string> Differences);

/// <summary>
/// Prepares a bucket the way infra/aws/backup-bucket.yaml describes it: versioning on, and a lifecycle rule for the
/// prefix (by default the seed's: the 45 newest noncurrent versions kept, older ones expire after a day; incomplete
/// multipart uploads aborted after a day). The rule is merged into the bucket's lifecycle configuration — every other
/// rule is kept, only this prefix's own rule (by its id) is replaced — and read back: a server that stores something
/// else than asked is reported, and when it dropped the count of versions to keep (Ceph RGW ignores
/// NewerNoncurrentVersions), which would expire every old backup after a day, the previous configuration is put back
/// and the setup fails. For local S3-compatible servers and first-time setups; in AWS the CloudFormation template owns the bucket.
/// </summary>
public static class S3BucketSetup
{
    public const int NoncurrentVersionsKept = 45;

    // The id the rule had before it was per prefix: replaced too when it covers this prefix.
    private const string LegacyRuleId = "delete old db backups";

    /// <param name="noncurrentDays">
    /// Null: the seed's rule (45 newest noncurrent versions kept). A number: keep every noncurrent version that many days
    /// instead, for servers that do not support a count.
    /// </param>
    public static async Task<BucketSetupResult> EnsureAsync(S3StoreOptions options, int? noncurrentDays, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (noncurrentDays is < 1)
        {
            throw new BackupException($"noncurrent days {noncurrentDays}: must be 1 or more");
        }

        using var client = S3ClientFactory.Create(options);
        var created = await CreateBucketAsync(client, options, cancellationToken).ConfigureAwait(false);
        await S3Call.RunAsync(options, "turn versioning on", () => client.PutBucketVersioningAsync(
            new PutBucketVersioningRequest
            {
                BucketName = options.Bucket,
                VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
            },
            cancellationToken)).ConfigureAwait(false);

        var prefix = options.NormalizedPrefix.Length == 0 ? "" : options.NormalizedPrefix + "/";
        var ruleId = "infinite-backup " + (prefix.Length == 0 ? "(bucket)" : prefix);
        var wanted = new LifecycleRule
        {
            Id = ruleId,
            Status = LifecycleRuleStatus.Enabled,
            Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = prefix } },
            NoncurrentVersionExpiration = noncurrentDays is { } days
                ? new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = days }
                : new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = 1, NewerNoncurrentVersions = NoncurrentVersionsKept },
            AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = 1 },
        };

        var before = await ReadRulesAsync(client, options, cancellationToken).ConfigureAwait(false);
        bool Ours(LifecycleRule r) => r.Id == ruleId || (r.Id == LegacyRuleId && PrefixOf(r) == prefix);
        var others = before.Where(r => !Ours(r)).ToList();
        await WriteRulesAsync(client, options, [.. others, wanted], cancellationToken).ConfigureAwait(false);

        var stored = (await ReadRulesAsync(client, options, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Id == ruleId);
        var differences = Compare(wanted, stored, noncurrentDays is null);
        if (stored is null || (noncurrentDays is null && stored.NoncurrentVersionExpiration?.NewerNoncurrentVersions is not NoncurrentVersionsKept))
        {
            // As stored, the rule would expire every old backup after a day: put back what was there.
            await WriteRulesAsync(client, options, before, cancellationToken).ConfigureAwait(false);
            throw new BackupException(
                $"{options.Description}: the server did not store the lifecycle rule as asked ({string.Join("; ", differences)}); the lifecycle configuration was left as it was",
                "this server cannot keep a number of old versions (Ceph RGW ignores NewerNoncurrentVersions): keep them by age instead with --noncurrent-days DAYS");
        }

        return new BucketSetupResult(created, ruleId, before.Count != others.Count, others.Count, differences);
    }

    private static async Task<bool> CreateBucketAsync(AmazonS3Client client, S3StoreOptions options, CancellationToken cancellationToken)
    {
        try
        {
            // S3 in us-east-1 and RGW answer PutBucket on a bucket one owns with success: ask first.
            await client.HeadBucketAsync(new HeadBucketRequest { BucketName = options.Bucket }, cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Not there: create it below.
        }
        catch (Exception ex) when (ex is AmazonS3Exception or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException)
        {
            throw S3Call.Translate(options, "look for the bucket", ex);
        }

        try
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = options.Bucket }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou")
        {
            return false;
        }
        catch (Exception ex) when (ex is AmazonS3Exception or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException)
        {
            throw S3Call.Translate(options, "create the bucket", ex);
        }
    }

    private static async Task<List<LifecycleRule>> ReadRulesAsync(AmazonS3Client client, S3StoreOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = options.Bucket }, cancellationToken).ConfigureAwait(false);
            return response.Configuration?.Rules ?? [];
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchLifecycleConfiguration")
        {
            return [];
        }
        catch (Exception ex) when (ex is AmazonS3Exception or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException)
        {
            throw S3Call.Translate(options, "read the lifecycle configuration", ex);
        }
    }

    private static async Task WriteRulesAsync(AmazonS3Client client, S3StoreOptions options, List<LifecycleRule> rules, CancellationToken cancellationToken)
    {
        if (rules.Count == 0)
        {
            await S3Call.RunAsync(options, "delete the lifecycle configuration", () => client.DeleteLifecycleConfigurationAsync(
                new DeleteLifecycleConfigurationRequest { BucketName = options.Bucket }, cancellationToken)).ConfigureAwait(false);
            return;
        }

        await S3Call.RunAsync(options, "write the lifecycle configuration", () => client.PutLifecycleConfigurationAsync(
            new PutLifecycleConfigurationRequest { BucketName = options.Bucket, Configuration = new LifecycleConfiguration { Rules = rules } },
            cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The rule's prefix, from its filter or the legacy Prefix element (RGW answers with the latter).</summary>
    public static string? PrefixOf(LifecycleRule rule) =>
        (rule.Filter?.LifecycleFilterPredicate as LifecyclePrefixPredicate)?.Prefix
#pragma warning disable CS0618 // the legacy element is what some servers return
        ?? rule.Prefix;
#pragma warning restore CS0618

    private static List<string> Compare(LifecycleRule wanted, LifecycleRule? stored, bool byCount)
    {
        if (stored is null)
        {
            return ["the rule is missing from the configuration read back"];
        }

        var differences = new List<string>();
        void Check<T>(string what, T asked, T got)
        {
            if (!EqualityComparer<T>.Default.Equals(asked, got))
            {
                differences.Add($"{what}: asked {Show(asked)}, stored {Show(got)}");
            }
        }

        Check("status", wanted.Status?.Value, stored.Status?.Value);
        Check("prefix", PrefixOf(wanted), PrefixOf(stored) ?? "");
        Check("NoncurrentDays", wanted.NoncurrentVersionExpiration?.NoncurrentDays, stored.NoncurrentVersionExpiration?.NoncurrentDays);
        if (byCount)
        {
            Check("NewerNoncurrentVersions", wanted.NoncurrentVersionExpiration?.NewerNoncurrentVersions, stored.NoncurrentVersionExpiration?.NewerNoncurrentVersions);
        }

        Check("AbortIncompleteMultipartUpload days", wanted.AbortIncompleteMultipartUpload?.DaysAfterInitiation, stored.AbortIncompleteMultipartUpload?.DaysAfterInitiation);
        return differences;
    }

    private static string Show<T>(T value) => value?.ToString() ?? "nothing";
}
