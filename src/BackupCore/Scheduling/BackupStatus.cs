using BackupCore.Verification;

namespace BackupCore.Scheduling;

/// <summary>
/// The health of every target for a monitor: the age of its last good (published) backup against
/// <c>Backup:StaleAfterHours</c>, and its last verification. <see cref="Healthy"/> is false when any target is stale.
/// </summary>
public sealed record BackupStatus(DateTimeOffset CheckedAt, double StaleAfterHours, IReadOnlyList<TargetStatus> Targets)
{
    public bool Healthy => Targets.All(t => !t.Stale);
}

/// <summary>
/// One target. <see cref="LastGoodBackupAt"/> is the finish time in the latest manifest of the store (the commit
/// record of the newest complete backup); null when none was ever published, which counts as stale.
/// </summary>
public sealed record TargetStatus
{
    public required string Target { get; init; }

    public required bool Stale { get; init; }

    public DateTimeOffset? LastGoodBackupAt { get; init; }

    public long? AgeSeconds { get; init; }

    public string? RunId { get; init; }

    public string? VersionId { get; init; }

    /// <summary>The store the manifest was read from.</summary>
    public string? Store { get; init; }

    /// <summary>Why there is no last good backup (none published yet, or the store could not be read).</summary>
    public string? Error { get; init; }

    /// <summary>The newest verification result, or null when the target was never verified (or the record could not be read).</summary>
    public VerificationRecord? LastVerification { get; init; }
}
