using BackupCore.Configuration;
using Npgsql;

namespace BackupCli;

/// <summary>
/// The connection of a command (<c>--connection</c>, <c>--to</c>, <c>--server</c>) as psql users write it: a
/// <c>postgresql://</c> URI, libpq <c>key=value</c> pairs, an Npgsql connection string or a bare database name, with
/// the service file and the <c>PG*</c> variables filling what it leaves out (<see cref="PostgresConnectionString"/>).
/// </summary>
public static class ConnectionSettings
{
    public static NpgsqlConnectionStringBuilder Resolve(string? connection, Func<string, string?>? env = null, string option = "--connection")
    {
        env ??= Environment.GetEnvironmentVariable;
        return PostgresConnectionString.Resolve(connection, env, option);
    }

    public static NpgsqlConnectionStringBuilder Resolve(CliContext context, string? connection, string option)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PostgresConnectionString.Resolve(connection, context.Variable, option);
    }
}
