using BackupCore.Backup;
using Npgsql;

namespace BackupCore.Restore;

/// <summary>
/// Creating and dropping the database a restore goes into, through the server's maintenance database
/// (<c>postgres</c>, else <c>template1</c>) with the same host, port, role and password.
/// </summary>
public static class TargetDatabase
{
    public static async Task<bool> ExistsAsync(string connectionString, CancellationToken cancellationToken)
    {
        var name = DatabaseName(connectionString);
        await using var dataSource = await OpenMaintenanceAsync(connectionString, cancellationToken);
        await using var command = dataSource.CreateCommand("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Creates the database (from template0, so nothing of template1 is mixed in) unless it exists; returns whether it created it.</summary>
    public static async Task<bool> CreateIfMissingAsync(string connectionString, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(connectionString, cancellationToken))
        {
            return false;
        }

        await CreateAsync(connectionString, cancellationToken);
        return true;
    }

    public static async Task CreateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var name = DatabaseName(connectionString);
        await RunAsync(connectionString, $"CREATE DATABASE {QuoteIdent(name)} TEMPLATE template0", $"database \"{name}\": cannot create it", cancellationToken);
    }

    /// <summary>Drops the database if it exists, disconnecting its sessions first (FORCE, PostgreSQL 13 and later).</summary>
    public static async Task DropAsync(string connectionString, CancellationToken cancellationToken)
    {
        var name = DatabaseName(connectionString);
        await using var dataSource = await OpenMaintenanceAsync(connectionString, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var force = connection.PostgreSqlVersion.Major >= 13 ? " WITH (FORCE)" : "";
        await RunAsync(connectionString, $"DROP DATABASE IF EXISTS {QuoteIdent(name)}{force}", $"database \"{name}\": cannot drop it", cancellationToken);
    }

    private static async Task RunAsync(string connectionString, string sql, string what, CancellationToken cancellationToken)
    {
        await using var dataSource = await OpenMaintenanceAsync(connectionString, cancellationToken);
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new BackupException($"{what}: permission denied", "the role needs CREATEDB (or give an existing database without --create/--clean)", ex);
        }
        catch (PostgresException ex)
        {
            throw new BackupException($"{what}: {ex.MessageText} (SQLSTATE {ex.SqlState})", ex.Hint, ex);
        }
    }

    private static string DatabaseName(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        if (string.IsNullOrEmpty(name))
        {
            throw new BackupException("restore target: no database name", "give a database name or Database=... in the connection string");
        }

        return name;
    }

    internal static async Task<NpgsqlDataSource> OpenMaintenanceAsync(string connectionString, CancellationToken cancellationToken)
    {
        BackupException? first = null;
        foreach (var maintenance in new[] { "postgres", "template1" })
        {
            var csb = new NpgsqlConnectionStringBuilder(connectionString) { Database = maintenance, Pooling = false };
            var dataSource = new NpgsqlDataSourceBuilder(csb.ConnectionString).Build();
            try
            {
                await using var probe = await ConnectionErrors.OpenAsync(dataSource, cancellationToken);
                return dataSource;
            }
            catch (BackupException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName })
            {
                first ??= ex;
                await dataSource.DisposeAsync();
            }
            catch
            {
                await dataSource.DisposeAsync();
                throw;
            }
        }

        throw first!;
    }

    internal static string QuoteIdent(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
