using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>
/// infra/aws/backup-bucket.yaml, checked offline: the bucket, the seed's lifecycle numbers, the policies' actions
/// and resources (the read-only policy cannot write; everything stays in the bucket and the db/ prefix), the IAM
/// users and the trust of the Function App's role.
/// </summary>
public sealed class AwsTemplateTests
{
    private const string TenantId = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private const string PrincipalId = "99999999-8888-7777-6666-555555555555";
    private const string BucketArn = "arn:aws:s3:::infinite-industries-backups";

    private readonly CloudFormationTemplate _template = Load(createOidcProvider: "true");

    private static CloudFormationTemplate Load(string createOidcProvider) => new(
        RepositoryRoot.Combine("infra", "aws", "backup-bucket.yaml"),
        new Dictionary<string, string>
        {
            ["EntraTenantId"] = TenantId,
            ["FunctionIdentityClientId"] = ClientId,
            ["FunctionIdentityPrincipalId"] = PrincipalId,
            ["CreateOidcProvider"] = createOidcProvider,
        });

    private static List<JsonNode> Statements(JsonNode policyDocument) => policyDocument["Statement"]!.AsArray().Select(s => s!).ToList();

    private static List<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => n!.GetValue<string>()).ToList(),
        JsonValue value => [value.GetValue<string>()],
        _ => [],
    };

    private List<JsonNode> PolicyStatements(string logicalId) => Statements(_template.Properties(logicalId)["PolicyDocument"]!);

    [Fact]
    public void Template_is_plain_yaml_with_every_resource_typed()
    {
        Assert.Equal("2010-09-09", _template.Root["AWSTemplateFormatVersion"]!.GetValue<string>());
        Assert.All(_template.Resources, kv => Assert.StartsWith("AWS::", kv.Value!["Type"]!.GetValue<string>(), StringComparison.Ordinal));
        // Every resource evaluates: no reference to an unknown parameter, resource or attribute.
        Assert.All(_template.Resources, kv => Assert.NotNull(_template.Properties(kv.Key)));
        Assert.All(_template.Root["Outputs"]!.AsObject(), kv => Assert.NotNull(_template.Evaluate(kv.Value!["Value"])));
    }

    [Fact]
    public void Bucket_is_versioned_private_encrypted_and_outlives_the_stack()
    {
        var (id, bucket) = Assert.Single(_template.OfType("AWS::S3::Bucket"));
        var properties = _template.Properties(id);
        Assert.Equal("infinite-industries-backups", properties["BucketName"]!.GetValue<string>());
        Assert.Equal("Enabled", properties["VersioningConfiguration"]!["Status"]!.GetValue<string>());
        var block = properties["PublicAccessBlockConfiguration"]!.AsObject();
        Assert.Equal(["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"], block.Select(kv => kv.Key).Order());
        Assert.All(block, kv => Assert.Equal("true", kv.Value!.GetValue<string>()));
        var encryption = properties["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!;
        Assert.Equal("AES256", encryption["SSEAlgorithm"]!.GetValue<string>());
        Assert.Equal("Retain", bucket["DeletionPolicy"]!.GetValue<string>());
        Assert.Equal("Retain", bucket["UpdateReplacePolicy"]!.GetValue<string>());
    }

    [Fact]
    public void Lifecycle_keeps_45_noncurrent_versions_of_db_objects_for_a_day_and_aborts_multipart_uploads_after_a_day()
    {
        var rules = _template.Properties("BackupBucket")["LifecycleConfiguration"]!["Rules"]!.AsArray().Select(r => r!).ToList();
        Assert.All(rules, r => Assert.Equal("Enabled", r["Status"]!.GetValue<string>()));

        var versions = Assert.Single(rules, r => r["NoncurrentVersionExpiration"] is not null);
        Assert.Equal("delete old db backups", versions["Id"]!.GetValue<string>());
        Assert.Equal("db/", versions["Prefix"]!.GetValue<string>());
        Assert.Equal("1", versions["NoncurrentVersionExpiration"]!["NoncurrentDays"]!.GetValue<string>());
        Assert.Equal("45", versions["NoncurrentVersionExpiration"]!["NewerNoncurrentVersions"]!.GetValue<string>());
        Assert.Null(versions["ExpirationInDays"]); // current versions are never expired

        var abort = Assert.Single(rules, r => r["AbortIncompleteMultipartUpload"] is not null);
        Assert.Equal("1", abort["AbortIncompleteMultipartUpload"]!["DaysAfterInitiation"]!.GetValue<string>());
    }

    [Fact]
    public void Bucket_policy_denies_requests_without_tls()
    {
        var statement = Assert.Single(PolicyStatements("BackupBucketPolicy"));
        Assert.Equal("Deny", statement["Effect"]!.GetValue<string>());
        Assert.Equal("false", statement["Condition"]!["Bool"]!["aws:SecureTransport"]!.GetValue<string>());
        Assert.Equal([BucketArn, BucketArn + "/*"], Strings(statement["Resource"]));
    }

    [Theory]
    [InlineData("ReadOnlyPolicy", "ro_infinite-industries_backups")]
    [InlineData("ReadWritePolicy", "rw_infinite-industries_backups")]
    public void Policy_is_named_like_the_seed_and_scoped_to_the_bucket_and_the_db_prefix(string logicalId, string name)
    {
        Assert.Equal(name, _template.Properties(logicalId)["ManagedPolicyName"]!.GetValue<string>());
        foreach (var statement in PolicyStatements(logicalId))
        {
            Assert.Equal("Allow", statement["Effect"]!.GetValue<string>());
            var actions = Strings(statement["Action"]);
            Assert.All(actions, a => Assert.StartsWith("s3:", a, StringComparison.Ordinal));
            Assert.All(actions, a => Assert.DoesNotContain("*", a, StringComparison.Ordinal));
            foreach (var resource in Strings(statement["Resource"]))
            {
                Assert.True(resource == BucketArn || resource == BucketArn + "/db/*", $"{logicalId}: resource {resource} is outside the bucket's db/ prefix");
                if (resource == BucketArn && actions.Any(a => a.StartsWith("s3:ListBucket", StringComparison.Ordinal) && a != "s3:ListBucketMultipartUploads"))
                {
                    Assert.Equal(["db/*"], Strings(statement["Condition"]!["StringLike"]!["s3:prefix"]));
                }
            }
        }
    }

    [Fact]
    public void Read_only_policy_can_list_and_download_but_not_write_or_delete()
    {
        var actions = PolicyStatements("ReadOnlyPolicy").SelectMany(s => Strings(s["Action"])).ToList();
        Assert.Contains("s3:GetObject", actions);
        Assert.Contains("s3:GetObjectVersion", actions);
        Assert.Contains("s3:ListBucket", actions);
        Assert.All(actions, a => Assert.True(
            a.StartsWith("s3:Get", StringComparison.Ordinal) || a.StartsWith("s3:List", StringComparison.Ordinal),
            $"read-only policy allows {a}"));
        string[] writes = ["Put", "Delete", "Abort", "Restore", "Replicate", "Bypass"];
        Assert.All(actions, a => Assert.DoesNotContain(writes, w => a.Contains(w, StringComparison.Ordinal)));
    }

    [Fact]
    public void Read_write_policy_can_upload_in_parts_but_never_delete()
    {
        var actions = PolicyStatements("ReadWritePolicy").SelectMany(s => Strings(s["Action"])).ToList();
        Assert.Contains("s3:PutObject", actions);
        Assert.Contains("s3:AbortMultipartUpload", actions);
        Assert.Contains("s3:GetObject", actions);
        Assert.Contains("s3:ListBucket", actions);
        Assert.DoesNotContain(actions, a => a.Contains("Delete", StringComparison.Ordinal));
        Assert.DoesNotContain(actions, a => a.Contains("Lifecycle", StringComparison.Ordinal) || a.Contains("Policy", StringComparison.Ordinal));
    }

    [Fact]
    public void Users_are_s3_backup_read_write_and_github_codespaces_read_only_with_no_keys_in_the_stack()
    {
        var users = _template.OfType("AWS::IAM::User").ToDictionary(
            u => _template.Properties(u.Id)["UserName"]!.GetValue<string>(),
            u => Strings(_template.Properties(u.Id)["ManagedPolicyArns"]));
        Assert.Equal(["github-codespaces", "s3-backup"], users.Keys.Order());
        Assert.Equal([$"arn:aws:iam::{CloudFormationTemplate.AccountId}:policy/rw_infinite-industries_backups"], users["s3-backup"]);
        Assert.Equal([$"arn:aws:iam::{CloudFormationTemplate.AccountId}:policy/ro_infinite-industries_backups"], users["github-codespaces"]);
        Assert.Empty(_template.OfType("AWS::IAM::AccessKey"));
        // The seed's users and policies are imported into the stack: an import needs a DeletionPolicy.
        Assert.All(_template.OfType("AWS::IAM::User").Concat(_template.OfType("AWS::IAM::ManagedPolicy")),
            r => Assert.Equal("Retain", r.Resource["DeletionPolicy"]?.GetValue<string>()));
        Assert.All(_template.OfType("AWS::IAM::User"), u => Assert.Null(u.Resource["Properties"]!["Policies"]));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void Function_role_trusts_only_the_function_identity_token_from_the_entra_tenant(string createOidcProvider)
    {
        var template = Load(createOidcProvider);
        var role = template.Properties("FunctionRole");
        var trust = JsonNode.Parse(role["AssumeRolePolicyDocument"]!.GetValue<string>())!;
        var statement = Assert.Single(Statements(trust));
        Assert.Equal("Allow", statement["Effect"]!.GetValue<string>());
        Assert.Equal(["sts:AssumeRoleWithWebIdentity"], Strings(statement["Action"]));
        Assert.Equal(
            $"arn:aws:iam::{CloudFormationTemplate.AccountId}:oidc-provider/sts.windows.net/{TenantId}/",
            statement["Principal"]!["Federated"]!.GetValue<string>());
        var conditions = statement["Condition"]!["StringEquals"]!.AsObject();
        Assert.Equal(2, conditions.Count);
        Assert.Equal(ClientId, conditions[$"sts.windows.net/{TenantId}/:aud"]!.GetValue<string>());
        Assert.Equal(PrincipalId, conditions[$"sts.windows.net/{TenantId}/:sub"]!.GetValue<string>());

        Assert.Equal([$"arn:aws:iam::{CloudFormationTemplate.AccountId}:policy/rw_infinite-industries_backups"], Strings(role["ManagedPolicyArns"]));
        Assert.Null(role["Policies"]);
        Assert.Equal(createOidcProvider == "true", template.Condition(template.Resource("EntraOidcProvider")["Condition"]!.GetValue<string>()));
    }

    [Fact]
    public void Oidc_provider_is_the_entra_v1_issuer_with_the_identity_client_id_as_audience()
    {
        var provider = _template.Properties("EntraOidcProvider");
        Assert.Equal($"https://sts.windows.net/{TenantId}/", provider["Url"]!.GetValue<string>());
        Assert.Equal([ClientId], Strings(provider["ClientIdList"]));
    }
}
