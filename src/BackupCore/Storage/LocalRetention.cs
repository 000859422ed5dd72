namespace BackupCore.Storage;

/// <summary>
/// Deletes one target's timestamped files (and leftover temporary files of killed runs) older than the
/// kept days, judged by the timestamp in the name, never by mtime. Never touches the plain latest names,
/// the newest timestamp, or another target's files (names are matched exactly: see <see cref="LocalFileNames"/>).
/// </summary>
internal static class LocalRetention
{
    public static IReadOnlyList<string> Apply(string folder, LocalFileNames names, int keepDays, DateTimeOffset now)
    {
        var cutoff = now - TimeSpan.FromDays(keepDays);
        var stamped = new List<(string Path, DateTimeOffset Time, bool Temporary)>();
        foreach (var path in Directory.EnumerateFiles(folder, names.Target + ".*"))
        {
            if (names.TryMatchStamped(Path.GetFileName(path), out var ts, out _, out var temporary)
                && LocalFileNames.TryParseTimestamp(ts, out var time))
            {
                stamped.Add((path, time, temporary));
            }
        }

        // The newest committed backup is kept whatever its age (a leftover temporary file does not count).
        var committed = stamped.Where(s => !s.Temporary).ToList();
        var newest = committed.Count == 0 ? DateTimeOffset.MaxValue : committed.Max(s => s.Time);
        var deleted = new List<string>();
        foreach (var (path, time, _) in stamped)
        {
            if (time < cutoff && time != newest)
            {
                File.Delete(path);
                deleted.Add(path);
            }
        }

        return deleted;
    }
}
