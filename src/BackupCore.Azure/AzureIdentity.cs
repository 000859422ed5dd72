using Amazon.Runtime;
using Azure.Core;
using Azure.Identity;
using BackupCore.Configuration;

namespace BackupCore.Azure;

/// <summary>
/// What a host's Azure identity gives the composition (<see cref="BackupComposition"/>): PostgreSQL access tokens for
/// targets with <c>Auth=EntraId</c>, and S3 credentials for <c>Backup:S3:RoleArn</c>. The identity is
/// DefaultAzureCredential: the user-assigned managed identity of <c>AZURE_CLIENT_ID</c> on an Azure host, <c>az login</c>
/// on a laptop.
/// </summary>
public static class AzureIdentity
{
    public static TokenCredential Credential(string? clientId) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });

    /// <summary>The token source for Entra ID logins; null when no target uses them (nothing is asked of the identity).</summary>
    public static IAccessTokenSource? TokenSource(BackupOptions options, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        return options.Targets.Any(t => t.Auth == TargetAuth.EntraId) ? new EntraIdTokenSource(credential()) : null;
    }

    /// <summary>
    /// With <c>Backup:S3:RoleArn</c> the S3 store uses the app's Entra ID identity (<see cref="EntraWebIdentityCredentials"/>);
    /// null otherwise: the AWS SDK's default chain.
    /// </summary>
    public static AWSCredentials? S3Credentials(S3Options s3, string? clientId, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(s3);
        if (s3.RoleArn is not { Length: > 0 } roleArn)
        {
            return null;
        }

        var audience = clientId is { Length: > 0 } id
            ? id
            : throw new BackupException("AZURE_CLIENT_ID is required with Backup:S3:RoleArn (the Entra ID token's audience is the identity's client id)");
        return new EntraWebIdentityCredentials(credential, audience, roleArn, s3.Region, s3.ServiceUrl);
    }
}
