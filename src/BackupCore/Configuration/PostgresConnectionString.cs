using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace BackupCore.Configuration;

/// <summary>
/// A connection as psql and pg_dump users write it, resolved the way libpq resolves it (PostgreSQL's fe-connect.c,
/// <c>conninfo_add_defaults</c>): the string's own values first, then the service (<c>service=</c> or
/// <c>PGSERVICE</c>, see <see cref="PgServiceFile"/>), then the <c>PG*</c> environment variables, then the defaults
/// (localhost, 5432, the OS user, a database named like the user). The string may be a <c>postgresql://</c> URI,
/// libpq <c>key=value</c> conninfo, an Npgsql connection string (<c>Host=db;Database=app</c>) or a bare database name.
/// Npgsql itself reads <c>~/.pgpass</c> (or <c>PGPASSFILE</c>) when no password is given. A bad value is an error
/// naming the key or the variable it came from; a password is never repeated in a message.
/// </summary>
public static class PostgresConnectionString
{
    // libpq's keywords and their environment variables (PQconninfoOptions); null: no variable.
    private static readonly Dictionary<string, string?> Keywords = new(StringComparer.Ordinal)
    {
        ["host"] = "PGHOST",
        ["hostaddr"] = "PGHOSTADDR",
        ["port"] = "PGPORT",
        ["dbname"] = "PGDATABASE",
        ["user"] = "PGUSER",
        ["password"] = "PGPASSWORD",
        ["passfile"] = "PGPASSFILE",
        ["service"] = "PGSERVICE",
        ["connect_timeout"] = "PGCONNECT_TIMEOUT",
        ["options"] = "PGOPTIONS",
        ["application_name"] = "PGAPPNAME",
        ["fallback_application_name"] = null,
        ["sslmode"] = "PGSSLMODE",
        ["sslcert"] = "PGSSLCERT",
        ["sslkey"] = "PGSSLKEY",
        ["sslrootcert"] = "PGSSLROOTCERT",
        ["sslpassword"] = null,
        ["target_session_attrs"] = "PGTARGETSESSIONATTRS",
        ["client_encoding"] = "PGCLIENTENCODING",
        ["channel_binding"] = "PGCHANNELBINDING",
        ["gssencmode"] = "PGGSSENCMODE",
        ["krbsrvname"] = "PGKRBSRVNAME",
        ["load_balance_hosts"] = "PGLOADBALANCEHOSTS",
        ["require_auth"] = "PGREQUIREAUTH",
        ["keepalives"] = null,
        ["keepalives_idle"] = null,
        ["keepalives_interval"] = null,

        // Accepted as libpq accepts them; they change nothing for Npgsql's connections.
        ["keepalives_count"] = null,
        ["tcp_user_timeout"] = null,
        ["sslcompression"] = null,
        ["sslsni"] = null,
        ["sslcrl"] = null,
        ["sslcrldir"] = null,
        ["sslcertmode"] = null,
        ["sslnegotiation"] = null,
        ["ssl_min_protocol_version"] = null,
        ["ssl_max_protocol_version"] = null,
        ["requirepeer"] = null,
        ["gsslib"] = null,
        ["gssdelegation"] = null,
        ["replication"] = null,
    };

    // Npgsql's spellings of the keys that libpq fills from the environment (its keys are case-insensitive).
    private static readonly Dictionary<string, string> NpgsqlSynonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "host", ["server"] = "host",
        ["port"] = "port",
        ["database"] = "dbname", ["db"] = "dbname",
        ["username"] = "user", ["user id"] = "user", ["userid"] = "user", ["user name"] = "user", ["user"] = "user",
        ["password"] = "password", ["psw"] = "password", ["pwd"] = "password",
        ["passfile"] = "passfile",
        ["ssl mode"] = "sslmode", ["sslmode"] = "sslmode",
        ["timeout"] = "connect_timeout",
        ["application name"] = "application_name", ["applicationname"] = "application_name",
        ["options"] = "options",
        ["target session attributes"] = "target_session_attrs", ["targetsessionattributes"] = "target_session_attrs",
        ["client encoding"] = "client_encoding", ["clientencoding"] = "client_encoding",
        ["ssl certificate"] = "sslcert", ["sslcertificate"] = "sslcert",
        ["ssl key"] = "sslkey", ["sslkey"] = "sslkey",
        ["root certificate"] = "sslrootcert", ["rootcertificate"] = "sslrootcert",
        ["channel binding"] = "channel_binding", ["channelbinding"] = "channel_binding",
        ["gss encryption mode"] = "gssencmode", ["gssencryptionmode"] = "gssencmode",
        ["kerberos service name"] = "krbsrvname", ["krbsrvname"] = "krbsrvname",
        ["load balance hosts"] = "load_balance_hosts", ["loadbalancehosts"] = "load_balance_hosts",
        ["require auth"] = "require_auth", ["requireauth"] = "require_auth",
    };

    /// <summary>The keywords of libpq this accepts, for help texts.</summary>
    public static IEnumerable<string> LibpqKeywords => Keywords.Keys;

    /// <summary>Resolves <paramref name="text"/> (which may be empty) with <paramref name="env"/>'s variables; <paramref name="source"/> names it in errors (e.g. "--connection").</summary>
    public static NpgsqlConnectionStringBuilder Resolve(string? text, Func<string, string?> env, string source, string applicationName = "infinite-backup")
    {
        ArgumentNullException.ThrowIfNull(env);
        var builder = new NpgsqlConnectionStringBuilder();
        var values = new Dictionary<string, (string Value, string From)>(StringComparer.Ordinal);
        var fromNpgsql = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            // Everything from the service, the environment and the defaults.
        }
        else if (ConnInfoParser.IsUri(text))
        {
            AddGiven(values, ConnInfoParser.ParseUri(text, source), source);
        }
        else if (!text.Contains('=', StringComparison.Ordinal))
        {
            // psql's habit: a bare word is the database name.
            values["dbname"] = (text.Trim(), source);
        }
        else if (LooksLikeConnInfo(text))
        {
            AddGiven(values, ConnInfoParser.ParseKeywords(text, source), source);
        }
        else
        {
            builder = ParseNpgsql(text, source);
            foreach (var key in ExplicitNpgsqlKeys(text))
            {
                fromNpgsql.Add(key);
                values[key] = ("", source);
            }
        }

        var service = values.TryGetValue("service", out var s) ? s.Value : NonEmpty(env("PGSERVICE"));
        if (service is not null)
        {
            var (serviceValues, serviceSource) = PgServiceFile.Find(service, env);
            foreach (var (key, value) in serviceValues)
            {
                CheckKeyword(key, serviceSource);
                values.TryAdd(key, (value, serviceSource));
            }
        }

        foreach (var (key, variable) in Keywords)
        {
            if (variable is not null && key != "service" && !values.ContainsKey(key) && NonEmpty(env(variable)) is { } value)
            {
                values[key] = (value, variable);
            }
        }

        foreach (var (key, (value, from)) in values)
        {
            if (!fromNpgsql.Contains(key))
            {
                Apply(builder, key, value, from, values);
            }
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            builder.Host = "localhost";
        }

        if (string.IsNullOrEmpty(builder.Username))
        {
            builder.Username = Environment.UserName;
        }

        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = builder.Username;
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = values.TryGetValue("fallback_application_name", out var fallback) ? fallback.Value : applicationName;
        }

        return builder;
    }

    /// <summary>libpq conninfo rather than Npgsql's form: the first key is a libpq keyword (lower case) and no ';' separates pairs.</summary>
    private static bool LooksLikeConnInfo(string text)
    {
        var trimmed = text.TrimStart();
        var end = trimmed.IndexOfAny(['=', ' ', '\t']);
        var first = end < 0 ? trimmed : trimmed[..end];
        return Keywords.ContainsKey(first) && !text.Contains(';', StringComparison.Ordinal);
    }

    private static void AddGiven(Dictionary<string, (string, string)> values, List<KeyValuePair<string, string>> pairs, string source)
    {
        foreach (var (key, value) in pairs)
        {
            CheckKeyword(key, source);
            values[key] = (value, source);
        }
    }

    private static void CheckKeyword(string key, string source)
    {
        if (!Keywords.ContainsKey(key))
        {
            var close = Keywords.Keys.FirstOrDefault(k => k.Equals(key, StringComparison.OrdinalIgnoreCase) || k.Replace("_", "", StringComparison.Ordinal) == key.ToLowerInvariant());
            throw new BackupException(
                $"{source}: invalid connection option \"{key}\"",
                close is not null ? $"libpq's keyword is \"{close}\"" : "libpq keywords: host, port, dbname, user, password, sslmode, connect_timeout, application_name, options, service, ...");
        }
    }

    private static NpgsqlConnectionStringBuilder ParseNpgsql(string text, string source)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            // The library's message can echo the password: name the key that failed, never its value.
            var bad = FindBadNpgsqlKey(text);
            throw new BackupException(
                bad is null ? $"{source}: not a valid connection string" : $"{source}: {bad}",
                "write key=value pairs: \"Host=db;Database=app;Username=backup\", \"host=db dbname=app user=backup\" or postgresql://backup@db/app");
        }
    }

    private static string? FindBadNpgsqlKey(string text)
    {
        DbConnectionStringBuilder generic;
        try
        {
            generic = new DbConnectionStringBuilder { ConnectionString = text };
        }
        catch (ArgumentException)
        {
            return "malformed key=value list (check the quotes and the ';' between pairs)";
        }

        foreach (string key in generic.Keys)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder { [key] = generic[key] };
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or InvalidOperationException)
            {
                return new NpgsqlConnectionStringBuilder().ContainsKey(key) ? $"key \"{key}\" has an invalid value" : $"unknown key \"{key}\"";
            }
        }

        return null;
    }

    private static IEnumerable<string> ExplicitNpgsqlKeys(string text)
    {
        var generic = new DbConnectionStringBuilder { ConnectionString = text };
        foreach (string key in generic.Keys)
        {
            if (NpgsqlSynonyms.TryGetValue(key, out var libpq))
            {
                yield return libpq;
            }
        }
    }

    private static void Apply(NpgsqlConnectionStringBuilder b, string key, string value, string from, Dictionary<string, (string Value, string From)> all)
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

    private static BackupException Invalid(string key, string value, string from, string expected)
    {
        // An environment variable is named by itself (PGPORT "abc"); a string or a service file by the key in it.
        var what = from.StartsWith("PG", StringComparison.Ordinal) && !from.Contains(' ', StringComparison.Ordinal) ? $"{from}=\"{value}\"" : $"{from}: {key}=\"{value}\"";
        return new BackupException($"{what} is not valid: expected {expected}", from.StartsWith("PG", StringComparison.Ordinal) ? $"fix or unset {from}" : null);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
