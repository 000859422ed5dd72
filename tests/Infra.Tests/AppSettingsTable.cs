using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>The rows of infra/app-settings.md: name, default, secret.</summary>
public static partial class AppSettingsTable
{
    public sealed record Row(string Name, string Default, bool Secret);

    public static IReadOnlyList<Row> Read()
    {
        var rows = new List<Row>();
        foreach (var line in RepositoryRoot.ReadText("infra", "app-settings.md").Split('\n'))
        {
            var m = TableRow().Match(line);
            if (!m.Success)
            {
                continue;
            }

            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.True(cells.Length == 4, $"app-settings.md row needs 4 cells (name, meaning, default, secret): {line}");
            Assert.True(cells[3] is "yes" or "no", $"secret column is yes or no: {line}");
            rows.Add(new Row(m.Groups["name"].Value, cells[2], cells[3] == "yes"));
        }

        return rows;
    }

    [GeneratedRegex(@"^\|\s*`(?<name>[A-Za-z_][A-Za-z0-9_]*)`\s*\|")]
    private static partial Regex TableRow();
}
