using System.Data.Common;
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
    /// <summary>The keywords of libpq this accepts, for help texts.</summary>
    public static IEnumerable<string> LibpqKeywords => LibpqKeywordTable.Variables.Keys;

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

        foreach (var (key, variable) in LibpqKeywordTable.Variables)
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
                LibpqToNpgsql.Apply(builder, key, value, from, values);
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
        return LibpqKeywordTable.Variables.ContainsKey(first) && !text.Contains(';', StringComparison.Ordinal);
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
        if (!LibpqKeywordTable.Variables.ContainsKey(key))
        {
            var close = LibpqKeywordTable.Variables.Keys.FirstOrDefault(k => k.Equals(key, StringComparison.OrdinalIgnoreCase) || k.Replace("_", "", StringComparison.Ordinal) == key.ToLowerInvariant());
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
            if (LibpqKeywordTable.NpgsqlSynonyms.TryGetValue(key, out var libpq))
            {
                yield return libpq;
            }
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
