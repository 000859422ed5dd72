using Npgsql;

namespace BackupCore.Configuration;

/// <summary>Builds the Npgsql data source of a configured target: host, database, role, TLS, and how it logs in.</summary>
public static class TargetDataSourceFactory
{
    /// <summary>Application name seen in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "infinite-backup";

    public static NpgsqlConnectionStringBuilder ConnectionString(TargetOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var csb = new NpgsqlConnectionStringBuilder
        {
            Host = target.Host,
            Port = target.Port,
            Database = target.Database,
            Username = target.Username,
            SslMode = target.SslMode,
            ApplicationName = ApplicationName,
            // A backup holds its snapshot connection for the whole run; no idle pooled connections are worth keeping.
            MaxPoolSize = 10,
            ConnectionIdleLifetime = 60,
        };
        if (target.Auth == TargetAuth.Password && !string.IsNullOrEmpty(target.Password))
        {
            csb.Password = target.Password;
        }

        return csb;
    }

    /// <summary>
    /// The data source; with <see cref="TargetAuth.EntraId"/> every new physical connection asks
    /// <paramref name="tokens"/> for a fresh token (Npgsql's password provider), so a token that expired
    /// during a long run never breaks the next connection.
    /// </summary>
    public static NpgsqlDataSource Create(TargetOptions target, IAccessTokenSource? tokens)
    {
        ArgumentNullException.ThrowIfNull(target);
        var builder = new NpgsqlDataSourceBuilder(ConnectionString(target).ConnectionString);
        builder.Name = target.Name;
        if (target.Auth == TargetAuth.EntraId)
        {
            if (tokens is null)
            {
                throw new BackupException($"target {target.Name}: Auth is EntraId but no token source is configured");
            }

            builder.UsePasswordProvider(
                _ => throw new BackupException($"target {target.Name}: Entra ID tokens are fetched asynchronously; open connections with OpenAsync"),
                async (_, cancellationToken) => await tokens.GetTokenAsync(cancellationToken));
        }

        return builder.Build();
    }
}
