namespace BackupCore.Verification;

/// <summary>What <see cref="BackupVerifier"/> checks and where it restores.</summary>
public sealed record VerificationOptions
{
    public required string Target { get; init; }

    /// <summary>A version id as the store lists it; null: the latest.</summary>
    public string? VersionId { get; init; }

    /// <summary>
    /// Connection string of the scratch database to restore into. When <see cref="CreateScratchDatabase"/> is
    /// set only its host, port, role and password are used: a database named <c>ib_verify_…</c> is created
    /// there and dropped afterwards.
    /// </summary>
    public required string ScratchConnectionString { get; init; }

    public bool CreateScratchDatabase { get; init; } = true;

    /// <summary>Skip the restore (hashes and archive walk only).</summary>
    public bool SkipRestore { get; init; }

    /// <summary>Told each step as it starts ("reading NAME.dump (…): its SHA-256 and its archive blocks", "restoring NAME.gz into ..."), for a progress display.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>One check of a verification and what it found.</summary>
public sealed record VerificationCheck(string Name, bool Passed, string Detail);

/// <summary>The outcome of verifying one backup.</summary>
public sealed record VerificationReport(
    string Target,
    string VersionId,
    string? RunId,
    DateTimeOffset? BackupTime,
    IReadOnlyList<VerificationCheck> Checks,
    IReadOnlyList<Restore.TableRowCount> RowCounts,
    TimeSpan Duration)
{
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Passed);
}
