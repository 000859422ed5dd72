namespace BackupCore.Backup;

/// <summary>What a backup is doing, for a progress display (the CLI's) or a log; reported by <see cref="BackupRunner"/>.</summary>
public enum BackupStage
{
    /// <summary>Opening the snapshot and reading the catalog.</summary>
    Catalog,

    /// <summary>Copying table data into the artifacts.</summary>
    Copying,

    /// <summary>Finishing the artifacts and publishing them, manifest last.</summary>
    Committing,
}

/// <summary>A snapshot of one backup's progress.</summary>
/// <param name="Stage">What it is doing.</param>
/// <param name="Table">The table being copied ("schema.table"), while copying.</param>
/// <param name="TablesDone">Tables copied so far.</param>
/// <param name="Tables">Tables to copy.</param>
/// <param name="Rows">Rows copied so far, all tables.</param>
/// <param name="Bytes">COPY text bytes so far, all tables.</param>
/// <param name="Fraction">Share of the work done, 0 to 1, from the catalog's size estimates (pg_relation_size, reltuples); null before they are known.</param>
/// <param name="Elapsed">Time since the run started.</param>
public sealed record BackupProgress(BackupStage Stage, string? Table, int TablesDone, int Tables, long Rows, long Bytes, double? Fraction, TimeSpan Elapsed)
{
    /// <summary>Time since the first table's copy started (the rate's denominator: the catalog read copies nothing).</summary>
    public TimeSpan Copying { get; init; }

    /// <summary>Time left at the rate so far, when the fraction allows an estimate.</summary>
    public TimeSpan? Remaining => Fraction is > 0.01 and < 1 ? TimeSpan.FromTicks((long)(Elapsed.Ticks * (1 - Fraction.Value) / Fraction.Value)) : null;
}
