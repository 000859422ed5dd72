using Azure.Core;
using Azure.Identity;
using BackupCore;
using BackupCore.Configuration;

namespace BackupCore.Azure;

/// <summary>
/// Access tokens for Azure Database for PostgreSQL from the app's identity (<see cref="TokenCredential"/>:
/// DefaultAzureCredential with the user-assigned identity of <c>AZURE_CLIENT_ID</c> in Azure). Npgsql asks
/// once per physical connection; the credential caches and renews tokens itself.
/// </summary>
public sealed class EntraIdTokenSource : IAccessTokenSource
{
    /// <summary>The resource every Azure Database for PostgreSQL server accepts tokens for.</summary>
    public const string Scope = "https://ossrdbms-aad.database.windows.net/.default";

    private readonly TokenCredential _credential;

    public EntraIdTokenSource(TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        _credential = credential;
    }

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            var token = await _credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken);
            return token.Token;
        }
        catch (AuthenticationFailedException ex)
        {
            throw new BackupException(
                $"Entra ID: no access token for {Scope} ({ex.Message})",
                "check AZURE_CLIENT_ID and that this identity is a Microsoft Entra role on the server",
                ex);
        }
    }
}
