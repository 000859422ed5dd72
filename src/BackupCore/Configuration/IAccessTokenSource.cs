namespace BackupCore.Configuration;

/// <summary>
/// Gives the access token a target's role logs in with (Microsoft Entra ID for Azure Database for
/// PostgreSQL). Asked once per physical connection: tokens live 5–60 minutes, a backup may run longer.
/// </summary>
public interface IAccessTokenSource
{
    ValueTask<string> GetTokenAsync(CancellationToken cancellationToken);
}
