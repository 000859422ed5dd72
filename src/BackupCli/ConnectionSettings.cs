using Npgsql;

namespace BackupCli;

/// <summary>
/// The Npgsql connection string of a command: <c>--connection</c> when given, with the standard
/// <c>PG*</c> environment variables filling whatever it leaves out (as psql and pg_dump do).
/// A bare database name is accepted where a user would type one.
/// </summary>
public static class ConnectionSettings
{
    public static NpgsqlConnectionStringBuilder Resolve(string? connection, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        NpgsqlConnectionStringBuilder b;
        if (string.IsNullOrWhiteSpace(connection))
        {
            b = new NpgsqlConnectionStringBuilder();
        }
        else if (!connection.Contains('='))
        {
            b = new NpgsqlConnectionStringBuilder { Database = connection };
        }
        else
        {
            try
            {
                b = new NpgsqlConnectionStringBuilder(connection);
            }
            catch (ArgumentException ex)
            {
                // The message of a bad connection string can echo the password: name the setting, not the text.
                throw new BackupCore.BackupException($"--connection: not a valid Npgsql connection string ({ex.GetType().Name})", "use key=value pairs, e.g. \"Host=db;Database=app;Username=backup\"");
            }
        }

        if (string.IsNullOrEmpty(b.Host))
        {
            b.Host = env("PGHOST") ?? "localhost";
        }

        if (!HasKey(connection, "port") && int.TryParse(env("PGPORT"), out var port))
        {
            b.Port = port;
        }

        if (string.IsNullOrEmpty(b.Username))
        {
            b.Username = env("PGUSER") ?? Environment.UserName;
        }

        if (string.IsNullOrEmpty(b.Database))
        {
            b.Database = env("PGDATABASE") ?? b.Username;
        }

        if (string.IsNullOrEmpty(b.Password) && env("PGPASSWORD") is { Length: > 0 } password)
        {
            b.Password = password;
        }

        if (!HasKey(connection, "ssl mode") && !HasKey(connection, "sslmode") && env("PGSSLMODE") is { Length: > 0 } sslMode
            && Enum.TryParse<SslMode>(sslMode.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode))
        {
            b.SslMode = mode;
        }

        b.ApplicationName ??= "infinite-backup";
        return b;
    }

    private static bool HasKey(string? connection, string key) =>
        connection is not null && connection.Contains(key + "=", StringComparison.OrdinalIgnoreCase);
}
