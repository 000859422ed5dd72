using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Azure.Core;
using BackupCore;

namespace BackupCore.Azure;

/// <summary>
/// AWS credentials without an AWS key: the app's Entra ID token (audience = its own client id, the OIDC
/// provider infra/aws/backup-bucket.yaml trusts) is exchanged with STS <c>AssumeRoleWithWebIdentity</c> for
/// temporary credentials of <c>Backup:S3:RoleArn</c>; the SDK refreshes them before they expire.
/// </summary>
public sealed class EntraWebIdentityCredentials : RefreshingAWSCredentials
{
    private readonly TokenCredential _credential;
    private readonly string _scope;
    private readonly string _roleArn;
    private readonly AmazonSecurityTokenServiceConfig _stsConfig;

    /// <param name="stsServiceUrl">An S3-compatible server's own STS endpoint (its ServiceUrl); null for AWS.</param>
    public EntraWebIdentityCredentials(TokenCredential credential, string clientId, string roleArn, string? region, string? stsServiceUrl)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(roleArn);
        _credential = credential;
        _scope = clientId + "/.default";
        _roleArn = roleArn;
        _stsConfig = new AmazonSecurityTokenServiceConfig();
        if (!string.IsNullOrEmpty(stsServiceUrl))
        {
            _stsConfig.ServiceURL = stsServiceUrl;
            _stsConfig.AuthenticationRegion = string.IsNullOrEmpty(region) ? "us-east-1" : region;
        }
        else
        {
            _stsConfig.RegionEndpoint = RegionEndpoint.GetBySystemName(string.IsNullOrEmpty(region) ? "us-east-1" : region);
        }

        // Refresh five minutes before expiry, not at the last second of a long upload.
        PreemptExpiryTime = TimeSpan.FromMinutes(5);
    }

    /// <summary>The Entra ID scope asked for: the app identity's client id.</summary>
    public string Scope => _scope;

    protected override CredentialsRefreshState GenerateNewCredentials() =>
        GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        var token = await _credential.GetTokenAsync(new TokenRequestContext([_scope]), CancellationToken.None);
        using var sts = new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), _stsConfig);
        try
        {
            var response = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
            {
                RoleArn = _roleArn,
                RoleSessionName = "infinite-backup",
                WebIdentityToken = token.Token,
                DurationSeconds = 3600,
            });
            var c = response.Credentials;
            return new CredentialsRefreshState(
                new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken),
                (c.Expiration ?? DateTime.UtcNow.AddMinutes(15)).ToUniversalTime());
        }
        catch (AmazonServiceException ex)
        {
            throw new BackupException(
                $"Backup:S3:RoleArn {_roleArn}: AssumeRoleWithWebIdentity refused the app's Entra ID token ({ex.ErrorCode}: {ex.Message})",
                "check the OIDC provider and the role's trust policy (audience = AZURE_CLIENT_ID)",
                ex);
        }
    }
}
