namespace BackupCore.Plan;

/// <summary>
/// Everything read from the catalog in the dump's snapshot, in restore order: the TOC every
/// writer works from. Built once per run; table data is streamed later, entry by entry.
/// </summary>
public sealed record DumpPlan
{
    public required string DatabaseName { get; init; }

    /// <summary>The server's <c>version()</c> short form, e.g. "15.18 (Debian 15.18-0+deb12u1)".</summary>
    public required string ServerVersion { get; init; }

    /// <summary>The server's <c>server_version_num</c>, e.g. 150018.</summary>
    public required int ServerVersionNumber { get; init; }

    /// <summary>Database encoding name, e.g. "UTF8".</summary>
    public required string Encoding { get; init; }

    /// <summary>When the snapshot was taken (server clock, UTC).</summary>
    public required DateTimeOffset SnapshotTime { get; init; }

    /// <summary>Schemas dumped (raw names), in the order they were requested or found.</summary>
    public required IReadOnlyList<string> Schemas { get; init; }

    /// <summary>All entries in TOC (restore) order: sections are monotone (pre-data, data, post-data).</summary>
    public required IReadOnlyList<DumpEntry> Entries { get; init; }

    public IEnumerable<DumpEntry> TableDataEntries => Entries.Where(e => e.HasData);
}
