using BackupCore.Storage;

namespace BackupCore.Restore;

/// <summary>One restore of a backup file into a database.</summary>
public sealed record RestoreRequest
{
    /// <summary>Npgsql connection string of the target database.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// The backup file: plain or gzip SQL script, or a custom-format archive (told by its first bytes). Give this or
    /// <see cref="Artifact"/>.
    /// </summary>
    public string? FilePath { get; init; }

    /// <summary>
    /// A stored artifact, streamed from the store into the restore with no local copy and checked against its manifest
    /// before the restore commits (<see cref="RestoreRunner"/> says what a mismatch leaves). The caller owns it.
    /// </summary>
    public ArtifactReadStream? Artifact { get; init; }

    /// <summary>
    /// For a custom archive: parallel pg_restore jobs (<c>pg_restore -j</c>). Above 1 the archive must be a file, so a
    /// stored one is downloaded (checked) into <see cref="WorkDirectory"/> first; it cannot run as one transaction.
    /// </summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Where a stored archive is downloaded for <see cref="Jobs"/> above 1; default: a new folder in the temp directory.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>The manifest of the backup, when known; its row counts are compared with the restored tables.</summary>
    public BackupManifest? Manifest { get; init; }

    /// <summary>
    /// Drop the target database (disconnecting its sessions) and create it empty before restoring, so nothing that
    /// is not in the backup survives. Without it, the dump's own <c>DROP ... IF EXISTS</c> statements replace the
    /// objects the backup contains and leave every other object alone.
    /// </summary>
    public bool Clean { get; init; }

    /// <summary>Create the target database when it does not exist.</summary>
    public bool Create { get; init; }

    /// <summary>
    /// All or nothing: one transaction (psql --single-transaction, pg_restore --single-transaction), so a failure leaves
    /// the database as it was. Null: one transaction into a database that existed before, none into one created for
    /// this restore (nothing there to protect).
    /// </summary>
    public bool? SingleTransaction { get; init; }

    public Action<RestoreProgress>? Progress { get; init; }

    /// <summary>For a custom archive: each item pg_restore reports (<c>creating TABLE "s"."t"</c>), with the count done and the archive's total.</summary>
    public Action<ArchiveRestoreProgress>? ArchiveProgress { get; init; }

    /// <summary>What the user should know while it runs: a lock wait, with the blocking session's pid.</summary>
    public Action<string>? Notice { get; init; }

    /// <summary>How long a statement may wait for a lock before <see cref="Notice"/> says so.</summary>
    public TimeSpan LockWaitNotice { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The pg_restore a custom archive is restored with (the host finds it, <see cref="PgRestoreRunner.Find"/>); null:
    /// none, so restoring an archive fails with <see cref="PgRestoreNotFoundException"/> before the database is touched.
    /// </summary>
    public string? PgRestorePath { get; init; }

    /// <summary>Receives pg_restore's messages, line by line.</summary>
    public TextWriter? ToolLog { get; init; }
}

/// <summary>What a restore did and what the row-count check found.</summary>
/// <param name="Script">Statement and row counts of a SQL script restore; null for pg_restore.</param>
/// <param name="RowCounts">Null when there was no manifest to compare with.</param>
public sealed record RestoreReport(RestoreInputFormat Format, bool CreatedDatabase, RestoreResult? Script, IReadOnlyList<TableRowCount>? RowCounts, TimeSpan Duration)
{
    /// <summary>Whether the load ran as one transaction.</summary>
    public bool SingleTransaction { get; init; }

    public bool RowCountsMatch => RowCounts is null || RowCounts.All(r => r.Matches);
}

/// <summary>Where a pg_restore of a custom archive is: items done of the archive's total (its TOC entries), and the last one.</summary>
public sealed record ArchiveRestoreProgress(int Items, int? Total, string Item)
{
    /// <summary>For an archive streaming from a store (no total: it is not read twice): bytes fed to pg_restore so far.</summary>
    public long? BytesRead { get; init; }

    /// <summary>For an archive streaming from a store: its size.</summary>
    public long? Length { get; init; }
}
