using System.Net.Sockets;
using Npgsql;

namespace BackupCore.Running;

/// <summary>Turns connection failures into messages that name the host, database or role and never the password.</summary>
internal static class ConnectionErrors
{
    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        var where = $"{csb.Host}:{csb.Port}/{csb.Database}";
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword || ex.SqlState == PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw new BackupException($"database {where}: authentication failed for role \"{csb.Username}\"", "check the password / token for this role", ex);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            throw new BackupException($"database {where}: database \"{csb.Database}\" does not exist", null, ex);
        }
        catch (PostgresException ex)
        {
            throw new BackupException($"database {where}: {ex.MessageText} (SQLSTATE {ex.SqlState})", null, ex);
        }
        catch (NpgsqlException ex) when (ex.InnerException is BackupException inner)
        {
            // The password provider failed (an Entra ID token that could not be had); Npgsql wraps its message away.
            throw new BackupException($"database {where}: {inner.Message}", inner.Hint, ex);
        }
        catch (NpgsqlException ex) when (ex.InnerException is SocketException or TimeoutException || ex is NpgsqlException { IsTransient: true })
        {
            throw new BackupException($"database {where}: cannot connect ({ex.InnerException?.Message ?? ex.Message})", "check host, port and firewall rules", ex);
        }
        catch (NpgsqlException ex)
        {
            throw new BackupException($"database {where}: cannot connect ({ex.Message})", null, ex);
        }
    }
}
