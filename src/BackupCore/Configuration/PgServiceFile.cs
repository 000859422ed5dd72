namespace BackupCore.Configuration;

/// <summary>
/// libpq's connection service files (PostgreSQL's fe-connect.c, <c>parseServiceInfo</c>): the user's file
/// (<c>PGSERVICEFILE</c>, else <c>~/.pg_service.conf</c>) is read first, then the system's
/// (<c>PGSYSCONFDIR/pg_service.conf</c>, default <c>/etc/postgresql-common</c> as Debian builds libpq);
/// the first file that has the section wins. A section is <c>[name]</c> followed by <c>keyword=value</c> lines;
/// <c>#</c> starts a comment line.
/// </summary>
public static class PgServiceFile
{
    public const string DefaultSystemDirectory = "/etc/postgresql-common";

    /// <summary>The service's keyword/value pairs, and the file and section they came from (for messages).</summary>
    public static (List<KeyValuePair<string, string>> Values, string Source) Find(string service, Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var files = new List<string>();
        if (NonEmpty(env("PGSERVICEFILE")) is { } userFile)
        {
            files.Add(userFile);
        }
        else if (NonEmpty(env("HOME")) is { } home)
        {
            files.Add(Path.Combine(home, ".pg_service.conf"));
        }

        files.Add(Path.Combine(NonEmpty(env("PGSYSCONFDIR")) ?? DefaultSystemDirectory, "pg_service.conf"));
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                continue;
            }

            if (Read(file, service) is { } values)
            {
                return (values, $"service file {file} [{service}]");
            }
        }

        throw new BackupException(
            $"definition of service \"{service}\" not found (looked in {string.Join(" and ", files)})",
            "add a [" + service + "] section to ~/.pg_service.conf (or the file PGSERVICEFILE names), or unset PGSERVICE");
    }

    private static List<KeyValuePair<string, string>>? Read(string file, string service)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"service file {file}: cannot read it ({ex.Message})", null, ex);
        }

        List<KeyValuePair<string, string>>? values = null;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '[')
            {
                if (values is not null)
                {
                    return values;
                }

                if (line.EndsWith(']') && line[1..^1] == service)
                {
                    values = [];
                }

                continue;
            }

            if (values is null)
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new BackupException($"service file {file}: syntax error at line {n + 1}", "each line of a section is keyword=value");
            }

            var key = line[..eq].Trim();
            if (key == "service")
            {
                throw new BackupException($"service file {file}: nested service specifications are not supported (line {n + 1})");
            }

            values.Add(new(key, line[(eq + 1)..].Trim()));
        }

        return values;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
