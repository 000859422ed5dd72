using System.Text;

namespace BackupCore.Configuration;

/// <summary>
/// libpq's two spellings of connection parameters, as keyword/value pairs (PostgreSQL's fe-connect.c,
/// <c>conninfo_parse</c> and <c>conninfo_uri_parse</c>):
/// <c>host=db port=5433 dbname=app</c> (values may be single-quoted, with <c>\'</c> and <c>\\</c> escapes) and
/// <c>postgresql://user:password@host:port,host2/dbname?sslmode=require</c> (percent-encoded; hosts may be
/// <c>[::1]</c> or a percent-encoded socket folder). Errors name the key or the part of the URI, never a value.
/// </summary>
public static class ConnInfoParser
{
    public static bool IsUri(string text) =>
        text.StartsWith("postgresql://", StringComparison.Ordinal) || text.StartsWith("postgres://", StringComparison.Ordinal);

    /// <summary>Pairs of <c>key=value</c> conninfo, in order.</summary>
    public static List<KeyValuePair<string, string>> ParseKeywords(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pairs = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (true)
        {
            SkipSpace(text, ref i);
            if (i >= text.Length)
            {
                return pairs;
            }

            var keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var key = text[keyStart..i];
            SkipSpace(text, ref i);
            if (i >= text.Length || text[i] != '=')
            {
                throw new BackupException($"{source}: missing \"=\" after \"{key}\" in the connection string", "write key=value pairs, e.g. host=db port=5432 dbname=app");
            }

            i++;
            SkipSpace(text, ref i);
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    var c = text[i++];
                    if (c == '\\' && i < text.Length)
                    {
                        value.Append(text[i++]);
                    }
                    else if (c == '\'')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!closed)
                {
                    throw new BackupException($"{source}: the value of \"{key}\" has an unterminated quoted string", "close the single quote, or escape a quote inside as \\'");
                }
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    var c = text[i++];
                    if (c == '\\' && i < text.Length)
                    {
                        c = text[i++];
                    }

                    value.Append(c);
                }
            }

            pairs.Add(new(key, value.ToString()));
        }
    }

    /// <summary>The pairs of a <c>postgresql://</c> URI; hosts and ports joined with commas, as in conninfo.</summary>
    public static List<KeyValuePair<string, string>> ParseUri(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pairs = new List<KeyValuePair<string, string>>();
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string? query = null;
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        var path = slash >= 0 ? rest[(slash + 1)..] : null;

        // The user part ends at the last '@' (a password may contain an encoded one, never a raw one before the host).
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var user = authority[..at];
            var colon = user.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                Add(pairs, "user", Decode(user[..colon], source, "user"));
                Add(pairs, "password", Decode(user[(colon + 1)..], source, "password"));
            }
            else
            {
                Add(pairs, "user", Decode(user, source, "user"));
            }

            authority = authority[(at + 1)..];
        }

        if (authority.Length > 0)
        {
            var hosts = new List<string>();
            var ports = new List<string>();
            foreach (var spec in authority.Split(','))
            {
                string host;
                string port = "";
                if (spec.StartsWith('['))
                {
                    var close = spec.IndexOf(']', StringComparison.Ordinal);
                    if (close < 0)
                    {
                        throw new BackupException($"{source}: the IPv6 host address in the URI lacks its closing \"]\"", "e.g. postgresql://[::1]:5432/app");
                    }

                    host = spec[1..close];
                    if (close + 1 < spec.Length)
                    {
                        if (spec[close + 1] != ':')
                        {
                            throw new BackupException($"{source}: unexpected text after the IPv6 host address in the URI");
                        }

                        port = spec[(close + 2)..];
                    }
                }
                else
                {
                    var colon = spec.LastIndexOf(':');
                    host = colon >= 0 ? spec[..colon] : spec;
                    port = colon >= 0 ? spec[(colon + 1)..] : "";
                }

                hosts.Add(Decode(host, source, "host"));
                ports.Add(Decode(port, source, "port"));
            }

            if (hosts.Any(h => h.Length > 0))
            {
                Add(pairs, "host", string.Join(',', hosts));
            }

            if (ports.Any(p => p.Length > 0))
            {
                Add(pairs, "port", string.Join(',', ports));
            }
        }

        if (!string.IsNullOrEmpty(path))
        {
            Add(pairs, "dbname", Decode(path, source, "database name"));
        }

        if (!string.IsNullOrEmpty(query))
        {
            foreach (var parameter in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = parameter.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new BackupException($"{source}: URI query parameter \"{Decode(eq < 0 ? parameter : "", source, "parameter")}\" has no value", "write ?key=value&key=value");
                }

                var key = Decode(parameter[..eq], source, "parameter");

                // libpq accepts JDBC's ssl=true as sslmode=require.
                if (key == "ssl" && parameter[(eq + 1)..] == "true")
                {
                    Add(pairs, "sslmode", "require");
                    continue;
                }

                Add(pairs, key, Decode(parameter[(eq + 1)..], source, $"value of \"{key}\""));
            }
        }

        return pairs;
    }

    private static void Add(List<KeyValuePair<string, string>> pairs, string key, string value) => pairs.Add(new(key, value));

    private static string Decode(string part, string source, string what)
    {
        var bytes = new List<byte>(part.Length);
        for (var i = 0; i < part.Length; i++)
        {
            if (part[i] == '%')
            {
                if (i + 2 >= part.Length || !byte.TryParse(part.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
                {
                    throw new BackupException($"{source}: invalid percent-encoding in the {what} of the URI", "encode special characters as %XX, e.g. @ as %40");
                }

                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(part[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
    }
}
