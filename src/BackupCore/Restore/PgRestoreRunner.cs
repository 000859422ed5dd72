using System.Diagnostics;
using System.Text;
using Npgsql;

namespace BackupCore.Restore;

/// <summary>pg_restore is not on PATH (custom-format archives need it).</summary>
public sealed class PgRestoreNotFoundException : BackupException
{
    public PgRestoreNotFoundException()
        : base("pg_restore was not found on PATH; a .dump (custom-format archive) can only be restored with it",
            "install the PostgreSQL client (e.g. apt-get install postgresql-client) or restore NAME.gz / NAME.anon.gz instead, which needs no client tools")
    {
    }

    public PgRestoreNotFoundException(string message)
        : base(message)
    {
    }

    public PgRestoreNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Restores a custom-format archive with the pg_restore found on PATH:
/// <c>pg_restore --no-owner --no-acl --exit-on-error [--clean --if-exists] [--single-transaction] -d CONNINFO FILE</c>.
/// The password goes through PGPASSWORD in pg_restore's environment, never on its command line.
/// </summary>
public static class PgRestoreRunner
{
    /// <summary>The pg_restore on PATH, or null.</summary>
    public static string? Find(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var path = env("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "pg_restore.exe" : "pg_restore");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static async Task RunAsync(string connectionString, string archivePath, bool clean, bool singleTransaction, TextWriter? log, CancellationToken cancellationToken, string? pgRestorePath = null)
    {
        var tool = pgRestorePath ?? Find() ?? throw new PgRestoreNotFoundException();
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--no-owner", "--no-acl", "--exit-on-error" })
        {
            psi.ArgumentList.Add(arg);
        }

        if (clean)
        {
            psi.ArgumentList.Add("--clean");
            psi.ArgumentList.Add("--if-exists");
        }

        if (singleTransaction)
        {
            psi.ArgumentList.Add("--single-transaction");
        }

        psi.ArgumentList.Add("-d");
        psi.ArgumentList.Add(ConnInfo(csb));
        psi.ArgumentList.Add(archivePath);
        if (!string.IsNullOrEmpty(csb.Password))
        {
            psi.Environment["PGPASSWORD"] = csb.Password;
        }

        using var process = Process.Start(psi) ?? throw new BackupException($"{tool}: could not start it");
        var stderr = new StringBuilder();
        var errTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(cancellationToken) is { } line)
            {
                stderr.AppendLine(line);
                if (log is not null)
                {
                    await log.WriteLineAsync(line);
                }
            }
        }, cancellationToken);
        var outTask = process.StandardOutput.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await errTask;
        await outTask;
        if (process.ExitCode != 0)
        {
            var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var last = lines.Length > 0 ? lines[^1] : "(no message)";
            throw new BackupException($"pg_restore {Path.GetFileName(archivePath)} exited {process.ExitCode}: {last}");
        }
    }

    /// <summary>A libpq connection string (keyword=value, values single-quoted) for the parts of an Npgsql one that pg_restore understands.</summary>
    internal static string ConnInfo(NpgsqlConnectionStringBuilder csb)
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(key + "='" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'");
            }
        }

        Add("host", csb.Host);
        Add("port", csb.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("dbname", csb.Database);
        Add("user", csb.Username);
        Add("sslmode", csb.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        });
        Add("application_name", csb.ApplicationName);
        return string.Join(' ', parts);
    }
}
