using System.Globalization;
using BackupCore.Storage;

namespace BackupCore.Restore;

/// <summary>Which published backup a fetch, restore or verify means: the latest, an exact version, or the one current at a time.</summary>
public static class VersionSelector
{
    /// <summary>
    /// <paramref name="at"/>: the newest backup published at or before that instant (what a reader of the latest
    /// name would have got then). <paramref name="versionId"/>: exactly that one. Neither: the latest.
    /// </summary>
    public static BackupVersion Select(IReadOnlyList<BackupVersion> versions, string target, DateTimeOffset? at, string? versionId)
    {
        ArgumentNullException.ThrowIfNull(versions);
        if (at is not null && versionId is not null)
        {
            throw new BackupException("give --at or --version, not both");
        }

        if (versions.Count == 0)
        {
            throw new BackupException($"target {target}: no backups found", "check --name and the store options (bucket, prefix or folder)");
        }

        if (versionId is not null)
        {
            return versions.FirstOrDefault(v => v.VersionId == versionId)
                ?? throw new BackupException($"target {target}: no backup with version {versionId}", "infinite-backup list --name " + target + " shows the versions");
        }

        if (at is { } instant)
        {
            var chosen = versions.Where(v => v.Time <= instant).MaxBy(v => v.Time);
            if (chosen is null)
            {
                var oldest = versions.Min(v => v.Time);
                throw new BackupException(
                    $"target {target}: no backup at or before {Format(instant)} (the oldest kept is from {Format(oldest)})");
            }

            return chosen;
        }

        return versions.FirstOrDefault(v => v.IsLatest) ?? versions.MaxBy(v => v.Time)!;
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
