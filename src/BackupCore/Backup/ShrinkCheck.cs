using BackupCore.Storage;

namespace BackupCore.Backup;

/// <summary>
/// The staleness/shrink check: a table whose row count or COPY size dropped by more than
/// <see cref="ShrinkCheckOptions.ShrinkWarningFraction"/> against the previous manifest is either logged as a warning
/// or (<see cref="ShrinkCheckOptions.FailOnShrink"/>) fails the run before anything is committed. It catches the silent
/// failure of a backup tool that keeps uploading a truncated or emptied database as the latest.
/// <see cref="CompareArtifacts"/> does the same for the artifacts' sizes (<c>.gz</c>, <c>.anon.gz</c>, <c>.dump</c>
/// bytes); <see cref="ShrinkGuard"/> applies both before a store commits.
/// </summary>
public static class ShrinkCheck
{
    /// <summary>The tables that shrank past the fraction (empty when none did or there is no previous manifest).</summary>
    public static IReadOnlyList<ShrunkTable> Compare(BackupManifest? previous, IReadOnlyList<ManifestTable> current, double fraction)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (previous is null)
        {
            return [];
        }

        var now = current.ToDictionary(t => (t.Schema, t.Table));
        var shrunk = new List<ShrunkTable>();
        foreach (var before in previous.Tables)
        {
            now.TryGetValue((before.Schema, before.Table), out var after);
            var rows = after?.Rows ?? 0;
            var bytes = after?.Bytes ?? 0;
            if (Dropped(before.Rows, rows, fraction) || Dropped(before.Bytes, bytes, fraction))
            {
                shrunk.Add(new ShrunkTable(before.Schema, before.Table, before.Rows, rows, before.Bytes, bytes, after is null));
            }
        }

        return shrunk;
    }

    /// <summary>
    /// The artifacts whose size dropped past the fraction against the previous manifest's. Only kinds present in
    /// both are compared: an artifact that was added or dropped by configuration is not a shrink of the data.
    /// </summary>
    public static IReadOnlyList<ShrunkArtifact> CompareArtifacts(BackupManifest? previous, IReadOnlyDictionary<ArtifactKind, long> current, double fraction)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (previous is null)
        {
            return [];
        }

        var shrunk = new List<ShrunkArtifact>();
        foreach (var before in previous.Artifacts.DistinctBy(a => a.Kind))
        {
            if (current.TryGetValue(before.Kind, out var after) && Dropped(before.Size, after, fraction))
            {
                shrunk.Add(new ShrunkArtifact(before.Kind, before.Kind.FileName(previous.Target), before.Size, after));
            }
        }

        return shrunk;
    }

    /// <summary>The latest manifest of the target in the first store that can be read, or null on the first run.</summary>
    internal static async Task<BackupManifest?> ReadPreviousAsync(IReadOnlyList<IBackupStore> stores, string target, CancellationToken cancellationToken)
    {
        foreach (var reader in stores.OfType<IBackupReader>())
        {
            var versions = await reader.ListVersionsAsync(target, cancellationToken);
            if (versions.Count > 0)
            {
                return await reader.GetManifestAsync(target, null, cancellationToken);
            }
        }

        return null;
    }

    private static bool Dropped(long before, long after, double fraction) =>
        before > 0 && after < before && (before - after) > before * fraction;
}

/// <summary>Settings of <see cref="ShrinkCheck"/>.</summary>
public sealed record ShrinkCheckOptions
{
    /// <summary>A drop of more than this fraction (0.5 = half) of a table's rows or COPY bytes is reported.</summary>
    public double ShrinkWarningFraction { get; init; } = 0.5;

    /// <summary>True: a shrink fails the run (nothing published); false: a warning in the log.</summary>
    public bool FailOnShrink { get; init; }

    /// <summary>Throws a <see cref="BackupException"/> naming the setting when it is out of range.</summary>
    public void Validate()
    {
        if (double.IsNaN(ShrinkWarningFraction) || ShrinkWarningFraction <= 0 || ShrinkWarningFraction >= 1)
        {
            throw new BackupException($"setting ShrinkWarningFraction {ShrinkWarningFraction} is not between 0 and 1 (exclusive)");
        }
    }
}

/// <summary>One artifact that shrank: its size in the previous manifest and in this run.</summary>
public sealed record ShrunkArtifact(ArtifactKind Kind, string Name, long SizeBefore, long SizeAfter)
{
    public string Describe() => $"{Name} {SizeBefore} → {SizeAfter} bytes";
}

/// <summary>One table that shrank: before and after, from the previous and this run's manifest.</summary>
public sealed record ShrunkTable(string Schema, string Table, long RowsBefore, long RowsAfter, long BytesBefore, long BytesAfter, bool Missing)
{
    public string Describe() => Missing
        ? $"\"{Schema}\".\"{Table}\" is gone (had {RowsBefore} rows)"
        : $"\"{Schema}\".\"{Table}\" {RowsBefore} → {RowsAfter} rows, {BytesBefore} → {BytesAfter} bytes";
}
