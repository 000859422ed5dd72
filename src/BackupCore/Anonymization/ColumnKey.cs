using System.Text;

namespace BackupCore.Anonymization;

/// <summary>
/// A column named <c>schema.table.column</c> with raw (case-sensitive) names. In text each part is a
/// bare name or, when it contains a dot, a double quote or anything outside <c>[a-z0-9_]</c>, a
/// double-quoted name with <c>""</c> for a quote, as in SQL (but without case folding).
/// </summary>
public readonly record struct ColumnKey(string Schema, string Table, string Column)
{
    public override string ToString() => $"{Part(Schema)}.{Part(Table)}.{Part(Column)}";

    /// <summary>Parses <c>schema.table.column</c>; <paramref name="source"/> names the file for errors.</summary>
    public static ColumnKey Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<string>(3);
        var current = new StringBuilder();
        var i = 0;
        while (true)
        {
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new BackupException($"anonymization policy {source}: column \"{text}\": unterminated quoted name");
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            current.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    current.Append(text[i++]);
                }
            }
            else
            {
                while (i < text.Length && text[i] != '.')
                {
                    current.Append(text[i++]);
                }
            }

            if (current.Length == 0)
            {
                throw new BackupException($"anonymization policy {source}: column \"{text}\": empty name", hint: "write schema.table.column");
            }

            parts.Add(current.ToString());
            current.Clear();
            if (i >= text.Length)
            {
                break;
            }

            if (text[i] != '.')
            {
                throw new BackupException($"anonymization policy {source}: column \"{text}\": expected '.' after a quoted name");
            }

            i++;
        }

        if (parts.Count != 3)
        {
            throw new BackupException(
                $"anonymization policy {source}: column \"{text}\": expected schema.table.column",
                hint: "quote names that contain a dot: \"my.schema\".table.column");
        }

        return new ColumnKey(parts[0], parts[1], parts[2]);
    }

    private static string Part(string name)
    {
        var plain = name.Length > 0;
        foreach (var c in name)
        {
            plain &= c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_';
        }

        return plain ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
