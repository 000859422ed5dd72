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
            var reader = source.CreateReader(parse);
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

    private static void Write(TextWriter stdout, List<Entry> entries, bool withTarget)
    {
        var table = new Table();
        if (withTarget)
        {
            table.AddColumn("Target");
        }

        table.AddColumns("Time (UTC)", "Version", "Run", ".gz", ".anon.gz", ".dump", "Tables", "Rows");
        for (var i = table.Columns.Count - 5; i < table.Columns.Count; i++)
        {
            table.Columns[i].RightAligned();
        }

        foreach (var e in entries)
        {
            string Size(ArtifactKind kind) => e.Artifacts.FirstOrDefault(a => a.Kind == kind) is { } a ? HumanSize(a.Size) : "-";
            var row = new List<string>();
            if (withTarget)
            {
                row.Add(Markup.Escape(e.Target));
            }

            row.AddRange([
                e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (e.IsLatest ? " (latest)" : ""),
                Markup.Escape(e.VersionId),
                Markup.Escape(e.RunId ?? "unreadable: " + e.Error),
                Size(ArtifactKind.Plain),
                Size(ArtifactKind.Anonymized),
                Size(ArtifactKind.Archive),
                e.Tables.ToString(CultureInfo.InvariantCulture),
                e.Rows.ToString("N0", CultureInfo.InvariantCulture)]);
            table.AddRow([.. row]);
        }

        Terminal.For(stdout).Write(table);
    }

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
