using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BackupCore;
using BackupCore.Storage;
using Spectre.Console;

namespace BackupCli;

/// <summary>
/// <c>infinite-backup list</c>: the backups kept in a store, from their manifests: one target's (<c>--name</c>) or
/// every target's, grouped by target, newest first.
/// </summary>
public static class ListCommand
{
    /// <summary>One line of <c>list --json</c>.</summary>
    public sealed record Entry(
        string Target,
        string VersionId,
        DateTimeOffset Time,
        bool IsLatest,
        string? RunId,
        DateTimeOffset? SnapshotTime,
        IReadOnlyList<ManifestArtifact> Artifacts,
        int Tables,
        long Rows,
        string? Error);

    public static Command Create(CliContext context)
    {
        var source = new StoreSource(withArtifact: false, withVersion: false);
        var json = new Option<bool>("--json") { Description = "One JSON array on stdout, for scripts." };
        var command = new Command("list", """
            List the backups kept in a store: every target's (grouped by target), or one target's with --name; newest first.

            The targets are the manifests NAME.manifest.json in the folder or under the S3 prefix; their versions are S3
            object versions, or the folder's timestamped files. Each shows its time, run id, artifact sizes and row
            totals from its manifest. --json prints one array of these, each with its target.

            Examples:
              infinite-backup list --s3 s3://infinite-industries-backups/db
              infinite-backup list --s3 s3://infinite-industries-backups/db --name infinite-prod
              infinite-backup list --dir /var/backups --json | jq -r '.[] | select(.isLatest) | "\(.target) \(.versionId)"'
            Exit codes: 0 listed (also when the store holds none), 1 failed (e.g. the folder does not exist), 2 usage, 130 cancelled.
            """)
        {
            json,
        };
        source.AddTo(command);
        command.Validators.Add(CliApp.Safe(result => source.Validate(result, nameRequired: false)));
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = context.Stdout;
            var name = parse.GetValue(source.Name);
            var reader = source.CreateReader(parse, context.HostEnvironment);
            List<Entry> entries;
            try
            {
                entries = name is null ? await ReadAllAsync(reader, cancellationToken) : await ReadAsync(reader, name, cancellationToken);
            }
            finally
            {
                (reader as IDisposable)?.Dispose();
            }

            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(entries, BackupManifest.JsonOptions));
                return ExitCodes.Success;
            }

            if (entries.Count == 0)
            {
                await context.Stderr.WriteLineAsync(name is null ? $"no backups in {reader.Description}" : $"no backups of {name} in {reader.Description}");
                return ExitCodes.Success;
            }

            Write(stdout, entries, withTarget: name is null);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Every target's backups: targets in name order, each newest first.</summary>
    public static async Task<List<Entry>> ReadAllAsync(IBackupReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = new List<Entry>();
        foreach (var target in await reader.ListTargetsAsync(cancellationToken))
        {
            entries.AddRange(await ReadAsync(reader, target, cancellationToken));
        }

        return entries;
    }

    public static async Task<List<Entry>> ReadAsync(IBackupReader reader, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = new List<Entry>();
        foreach (var v in await reader.ListVersionsAsync(name, cancellationToken))
        {
            try
            {
                var m = await reader.GetManifestAsync(name, v.VersionId, cancellationToken);
                entries.Add(new Entry(v.Target, v.VersionId, v.Time, v.IsLatest, m.RunId, m.SnapshotTime, m.Artifacts, m.Tables.Count, m.Tables.Sum(t => t.Rows), null));
            }
            catch (BackupException ex)
            {
                // One unreadable manifest should not hide the other backups.
                entries.Add(new Entry(v.Target, v.VersionId, v.Time, v.IsLatest, null, null, [], 0, 0, ex.Message));
            }
        }

        return entries;
    }

    // Dropped in this order when the terminal is too narrow; time, version and target always stay (a version id is
    // what a user copies into fetch --version, so it is never wrapped or cut).
    private static readonly string[] DropOrder = [".gz", ".anon.gz", "Tables", "Run", ".dump", "Rows"];

    /// <summary>
    /// The table on stdout: as wide as it needs when redirected, else at most the terminal's width. To fit, columns are
    /// dropped (<see cref="DropOrder"/>), then each target gets a table of its own under its name, then times are shortened.
    /// </summary>
    internal static void Write(TextWriter stdout, List<Entry> entries, bool withTarget, int? width = null)
    {
        var available = width ?? (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected ? Console.WindowWidth : int.MaxValue);
        var console = Terminal.For(stdout);
        if (width is { } fixedWidth)
        {
            console.Profile.Width = fixedWidth;
        }

        var columns = Layout(entries, withTarget, compactTime: false, available);
        if (NaturalWidth(columns, entries) <= available || !withTarget)
        {
            columns = NaturalWidth(columns, entries) <= available ? columns : Layout(entries, withTarget, compactTime: true, available);
            console.Write(Render(columns, entries, title: null));
            return;
        }

        foreach (var group in entries.GroupBy(e => e.Target))
        {
            var list = group.ToList();
            var perTarget = Layout(list, withTarget: false, compactTime: false, available);
            if (NaturalWidth(perTarget, list) > available)
            {
                perTarget = Layout(list, withTarget: false, compactTime: true, available);
            }

            console.Write(Render(perTarget, list, title: group.Key));
        }
    }

    private static List<(string Header, bool Right, Func<Entry, string> Cell)> Layout(List<Entry> entries, bool withTarget, bool compactTime, int available)
    {
        var columns = new List<(string Header, bool Right, Func<Entry, string> Cell)>();
        if (withTarget)
        {
            columns.Add(("Target", false, e => e.Target));
        }

        string Size(Entry e, ArtifactKind kind) => e.Artifacts.FirstOrDefault(a => a.Kind == kind) is { } a ? HumanSize(a.Size) : "-";
        columns.AddRange(
        [
            compactTime
                ? ("Time (UTC)", false, e => e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + (e.IsLatest ? "*" : ""))
                : ("Time (UTC)", false, e => e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (e.IsLatest ? " (latest)" : "")),
            ("Version", false, e => e.VersionId),
            ("Run", false, e => e.RunId ?? "unreadable: " + e.Error),
            (".gz", true, e => Size(e, ArtifactKind.Plain)),
            (".anon.gz", true, e => Size(e, ArtifactKind.Anonymized)),
            (".dump", true, e => Size(e, ArtifactKind.Archive)),
            ("Tables", true, e => e.Tables.ToString(CultureInfo.InvariantCulture)),
            ("Rows", true, e => e.Rows.ToString("N0", CultureInfo.InvariantCulture)),
        ]);
        foreach (var header in DropOrder)
        {
            if (NaturalWidth(columns, entries) <= available)
            {
                break;
            }

            columns.RemoveAll(c => c.Header == header);
        }

        return columns;
    }

    private static Table Render(List<(string Header, bool Right, Func<Entry, string> Cell)> columns, List<Entry> entries, string? title)
    {
        var table = new Table();
        if (title is not null)
        {
            table.Title = new TableTitle(Markup.Escape(title));
        }

        foreach (var (header, right, _) in columns)
        {
            var column = new TableColumn(header).NoWrap();
            table.AddColumn(right ? column.RightAligned() : column);
        }

        foreach (var e in entries)
        {
            table.AddRow([.. columns.Select(c => Markup.Escape(c.Cell(e)))]);
        }

        return table;
    }

    /// <summary>Characters a row takes: each column's widest cell or header, plus Spectre's border and padding (3 per column, 1 more).</summary>
    private static int NaturalWidth(List<(string Header, bool Right, Func<Entry, string> Cell)> columns, List<Entry> entries) =>
        columns.Sum(c => Math.Max(c.Header.Length, entries.Count == 0 ? 0 : entries.Max(e => c.Cell(e).Length)) + 3) + 1;

    internal static string HumanSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
