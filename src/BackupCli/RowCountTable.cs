using BackupCore.Restore;
using Spectre.Console;

namespace BackupCli;

/// <summary>The row-count comparison after a restore or verify, as a table on stdout.</summary>
public static class RowCountTable
{
    public static void Write(TextWriter stdout, IReadOnlyList<TableRowCount> counts)
    {
        var table = new Table().AddColumns("Table", "Manifest rows", "Restored rows", "Check");
        table.Columns[1].RightAligned();
        table.Columns[2].RightAligned();
        foreach (var c in counts)
        {
            table.AddRow(
                Markup.Escape($"{c.Schema}.{c.Table}"),
                c.Expected.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                c.Actual?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "missing",
                c.Matches ? "[green]ok[/]" : "[red]MISMATCH[/]");
        }

        Terminal.For(stdout).Write(table);
    }
}
