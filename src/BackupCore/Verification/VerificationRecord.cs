namespace BackupCore.Verification;

/// <summary>
/// What a scheduled or requested verification of one target found, as kept in the run state and shown by the API:
/// which backup (store, version, run id), pass or fail, and each failed check. <see cref="Error"/> is set instead
/// when the verification could not run at all (no backup, store unreachable, no scratch database).
/// </summary>
public sealed record VerificationRecord
{
    /// <summary>At most this many failed checks are kept, each cut to <see cref="MaxDetailLength"/> characters (Table storage caps a string property at 32K characters).</summary>
    public const int MaxMismatches = 10;

    public const int MaxDetailLength = 1500;

    public required string Target { get; init; }

    /// <summary>What asked for it: <c>timer</c> or <c>http</c>.</summary>
    public required string Trigger { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    public required bool Passed { get; init; }

    /// <summary>The store the backup was read from (never credentials).</summary>
    public string? Store { get; init; }

    public string? VersionId { get; init; }

    /// <summary>The run id of the verified backup (its manifest's).</summary>
    public string? BackupRunId { get; init; }

    public DateTimeOffset? BackupTime { get; init; }

    /// <summary>How many checks ran (hashes, archive walk, restore, row counts).</summary>
    public int Checks { get; init; }

    /// <summary>Tables whose restored row count was compared with the manifest.</summary>
    public int Tables { get; init; }

    /// <summary>Each failed check, <c>name: detail</c>.</summary>
    public IReadOnlyList<string> Mismatches { get; init; } = [];

    public string? Error { get; init; }

    public long DurationMs => (long)(FinishedAt - StartedAt).TotalMilliseconds;

    public static VerificationRecord From(VerificationReport report, string trigger, string store, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new VerificationRecord
        {
            Target = report.Target,
            Trigger = trigger,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            Passed = report.Passed,
            Store = store,
            VersionId = report.VersionId,
            BackupRunId = report.RunId,
            BackupTime = report.BackupTime,
            Checks = report.Checks.Count,
            Tables = report.RowCounts.Count,
            Mismatches = report.Checks.Where(c => !c.Passed).Take(MaxMismatches).Select(c => Cut($"{c.Name}: {c.Detail}")).ToList(),
        };
    }

    public static VerificationRecord Failed(string target, string trigger, string? store, DateTimeOffset startedAt, DateTimeOffset finishedAt, string error) => new()
    {
        Target = target,
        Trigger = trigger,
        StartedAt = startedAt,
        FinishedAt = finishedAt,
        Passed = false,
        Store = store,
        Error = Cut(error),
    };

    private static string Cut(string text) => text.Length > MaxDetailLength ? text[..MaxDetailLength] + " [...]" : text;
}
