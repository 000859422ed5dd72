using System.Text.RegularExpressions;

namespace BackupCore.Tests.Catalog.Code;

/// <summary>
/// The entries of a plain pg_dump script, split at the "-- Name: ...; Type: ...; Schema: ...; Owner: ..." headers
/// (pg_backup_archiver.c _printTocEntry), keyed by (type, schema, name); plus the lines of its DROP block.
/// </summary>
internal sealed partial class PgDumpPlainText
{
    private PgDumpPlainText(Dictionary<(string Desc, string? Schema, string Tag), string> bodies, IReadOnlyList<(string Desc, string? Schema, string Tag)> order, IReadOnlyList<string> dropLines)
    {
        Bodies = bodies;
        Order = order;
        DropLines = dropLines;
    }

    /// <summary>The entries' keys in the order the script has them.</summary>
    public IReadOnlyList<(string Desc, string? Schema, string Tag)> Order { get; }

    /// <summary>Each entry's text after its header: its defn, without the trailing blank lines and SET lines.</summary>
    public Dictionary<(string Desc, string? Schema, string Tag), string> Bodies { get; }

    /// <summary>The --clean block: every line between the SET header and the first entry.</summary>
    public IReadOnlyList<string> DropLines { get; }

    [GeneratedRegex(@"^-- (?:Data for )?Name: (?<name>.*); Type: (?<type>[^;]*); Schema: (?<schema>[^;]*); Owner: [^;]*$")]
    private static partial Regex Header();

    public static PgDumpPlainText Parse(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var lines = script.Split('\n');
        var bodies = new Dictionary<(string, string?, string), string>();
        var order = new List<(string, string?, string)>();
        var drops = new List<string>();
        var firstHeader = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var m = Header().Match(lines[i]);
            if (!m.Success || i == 0 || lines[i - 1] != "--")
            {
                continue;
            }

            if (firstHeader < 0)
            {
                firstHeader = i;
            }

            // The body starts after "--" and one empty line, and runs to the next "--" header line.
            var start = i + 3;
            var end = start;
            while (end < lines.Length && !(lines[end] == "--" && end + 1 < lines.Length && lines[end + 1].StartsWith("-- ", StringComparison.Ordinal)))
            {
                end++;
            }

            var body = lines[start..end].ToList();
            while (body.Count > 0 && (body[^1].Length == 0 || body[^1].StartsWith("SET default_", StringComparison.Ordinal)))
            {
                body.RemoveAt(body.Count - 1);
            }

            var schema = m.Groups["schema"].Value;
            var key = (m.Groups["type"].Value, schema == "-" ? null : schema, m.Groups["name"].Value);
            bodies[key] = string.Join('\n', body);
            order.Add(key);
        }

        var setBlockEnd = Array.FindIndex(lines, l => l.StartsWith("SET row_security", StringComparison.Ordinal));
        for (var i = setBlockEnd + 1; i >= 1 && i < firstHeader - 1; i++)
        {
            if (lines[i].Length > 0 && lines[i] != "--")
            {
                drops.Add(lines[i]);
            }
        }

        return new PgDumpPlainText(bodies, order, drops);
    }
}
