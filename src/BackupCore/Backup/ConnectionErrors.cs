using System.Net.Sockets;
using Npgsql;

namespace BackupCore.Backup;

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
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            // The server answers a role that does not exist the same way under password authentication, on purpose.
            throw new BackupException(
                $"database {where}: password authentication failed for role \"{csb.Username}\"",
                string.IsNullOrEmpty(csb.Password)
                    ? "no password was given: set PGPASSWORD, add the host to ~/.pgpass (or the file PGPASSFILE names), or put password= in the connection string; also check the role name"
                    : "check the password (and that the role exists: the server reports a missing role the same way)",
                ex);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            // 28000: the role does not exist (trust, peer), may not log in, or no pg_hba.conf line lets it in; the server says which.
            throw new BackupException($"database {where}: login as role \"{csb.Username}\" rejected: {ex.MessageText}", "check the role name (user=, PGUSER) and the server's pg_hba.conf", ex);
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
            // E.g. "No password has been provided but the backend requires one": no SQLSTATE to branch on, so the hint follows from what was given.
            throw new BackupException(
                $"database {where}: cannot connect ({ex.Message})",
                string.IsNullOrEmpty(csb.Password) ? "no password was given: set PGPASSWORD, add the host to ~/.pgpass, or put password= in the connection string" : null,
                ex);
        }
    }
}
