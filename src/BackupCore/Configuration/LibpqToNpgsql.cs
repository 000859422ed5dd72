using System.Globalization;
using Npgsql;

namespace BackupCore.Configuration;

/// <summary>
/// One libpq keyword's value set on Npgsql's builder (<see cref="PostgresConnectionString"/> decides which value wins):
/// each value checked as libpq checks it, a bad one an error naming the key and where it came from (the string, the
/// service file or the <c>PG*</c> variable).
/// </summary>
internal static class LibpqToNpgsql
{
    /// <summary>Sets <paramref name="key"/> (a libpq keyword) to <paramref name="value"/>; <paramref name="all"/> holds every given value (a host list needs the ports).</summary>
    public static void Apply(NpgsqlConnectionStringBuilder b, string key, string value, string from, Dictionary<string, (string Value, string From)> all)
    {
        switch (key)
        {
            case "host":
                b.Host = JoinPorts(value, all, from);
                break;
            case "hostaddr":
                if (!all.ContainsKey("host"))
                {
                    b.Host = JoinPorts(value, all, from);
                }

                break;
            case "port":
                var ports = value.Split(',');
                foreach (var p in ports)
                {
                    Port(p, key, from);
                }

                if (ports.Length == 1)
                {
                    b.Port = Port(ports[0], key, from);
                }

                break;
            case "dbname":
                b.Database = value;
                break;
            case "user":
                b.Username = value;
                break;
            case "password":
                b.Password = value;
                break;
            case "passfile":
                b.Passfile = value;
                break;
            case "connect_timeout":
                // libpq: 0 or less waits forever, and 1 second is raised to 2.
                var seconds = Integer(value, key, from, "a number of seconds");
                b.Timeout = seconds <= 0 ? 0 : Math.Min(Math.Max(seconds, 2), 1024);
                break;
            case "options":
                b.Options = value;
                break;
            case "application_name":
                b.ApplicationName = value;
                break;
            case "sslmode":
                b.SslMode = value switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw Invalid(key, value, from, "disable, allow, prefer, require, verify-ca or verify-full"),
                };
                break;
            case "sslcert":
                b.SslCertificate = value;
                break;
            case "sslkey":
                b.SslKey = value;
                break;
            case "sslrootcert":
                b.RootCertificate = value;
                break;
            case "sslpassword":
                b.SslPassword = value;
                break;
            case "target_session_attrs":
                b.TargetSessionAttributes = value is "any" or "read-write" or "read-only" or "primary" or "standby" or "prefer-standby"
                    ? value
                    : throw Invalid(key, value, from, "any, read-write, read-only, primary, standby or prefer-standby");
                break;
            case "client_encoding":
                b.ClientEncoding = value;
                break;
            case "channel_binding":
                b.ChannelBinding = value switch
                {
                    "disable" => ChannelBinding.Disable,
                    "prefer" => ChannelBinding.Prefer,
                    "require" => ChannelBinding.Require,
                    _ => throw Invalid(key, value, from, "disable, prefer or require"),
                };
                break;
            case "gssencmode":
                b.GssEncryptionMode = value switch
                {
                    "disable" => GssEncryptionMode.Disable,
                    "prefer" => GssEncryptionMode.Prefer,
                    "require" => GssEncryptionMode.Require,
                    _ => throw Invalid(key, value, from, "disable, prefer or require"),
                };
                break;
            case "krbsrvname":
                b.KerberosServiceName = value;
                break;
            case "load_balance_hosts":
                b.LoadBalanceHosts = value switch
                {
                    "disable" => false,
                    "random" => true,
                    _ => throw Invalid(key, value, from, "disable or random"),
                };
                break;
            case "require_auth":
                b.RequireAuth = value;
                break;
            case "keepalives":
                b.TcpKeepAlive = value != "0";
                break;
            case "keepalives_idle":
                b.TcpKeepAliveTime = Integer(value, key, from, "a number of seconds");
                break;
            case "keepalives_interval":
                b.TcpKeepAliveInterval = Integer(value, key, from, "a number of seconds");
                break;
        }
    }

    /// <summary>Several hosts with several ports become Npgsql's <c>host:port,host:port</c>.</summary>
    private static string JoinPorts(string hosts, Dictionary<string, (string Value, string From)> all, string from)
    {
        if (!all.TryGetValue("port", out var port) || !port.Value.Contains(',', StringComparison.Ordinal))
        {
            return hosts;
        }

        var h = hosts.Split(',');
        var p = port.Value.Split(',');
        if (h.Length != p.Length)
        {
            throw new BackupException($"{from}: could not match {p.Length} port numbers to {h.Length} hosts", "give one port for all hosts, or one per host");
        }

        return string.Join(',', h.Zip(p, (host, number) => number.Length == 0 ? host : (host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host) + ":" + number));
    }

    private static int Port(string value, string key, string from)
    {
        if (value.Length == 0)
        {
            return 5432;
        }

        var port = Integer(value, key, from, "a port number (1-65535)");
        return port is >= 1 and <= 65535 ? port : throw Invalid(key, value, from, "a port number (1-65535)");
    }

    private static int Integer(string value, string key, string from, string expected) =>
        int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw Invalid(key, value, from, expected);

    public static BackupException Invalid(string key, string value, string from, string expected)
    {
        // An environment variable is named by itself (PGPORT "abc"); a string or a service file by the key in it.
        var what = from.StartsWith("PG", StringComparison.Ordinal) && !from.Contains(' ', StringComparison.Ordinal) ? $"{from}=\"{value}\"" : $"{from}: {key}=\"{value}\"";
        return new BackupException($"{what} is not valid: expected {expected}", from.StartsWith("PG", StringComparison.Ordinal) ? $"fix or unset {from}" : null);
    }
}
