using BackupCore.Catalog;
using BackupCore.Pipeline;
using BackupCore.Storage;
using Npgsql;

namespace BackupCore.Backup;

/// <summary>One target's backup: where to read, what to dump, where to write.</summary>
public sealed record BackupJob
{
    /// <summary>The target's name, which names the artifacts (<c>NAME.gz</c>, ...).</summary>
    public required string TargetName { get; init; }

    /// <summary>Connections to the database being backed up (credentials live here, never in messages).</summary>
    public required NpgsqlDataSource DataSource { get; init; }

    public CatalogScope Scope { get; init; } = CatalogScope.AllSchemas;

    /// <summary>One or more stores; every store gets identical bytes.</summary>
    public required IReadOnlyList<IBackupStore> Stores { get; init; }

    /// <summary>Which artifacts to write; null = every kind the sink factory supports.</summary>
    public IReadOnlyList<ArtifactKind>? Artifacts { get; init; }

    /// <summary>Run id; a new one when null.</summary>
    public string? RunId { get; init; }

    /// <summary>Free text recorded in the manifest (e.g. the commit being deployed).</summary>
    public string? Reason { get; init; }

    /// <summary>Compare row counts and sizes with the previous manifest (see <see cref="Running.ShrinkCheck"/>); null: no check.</summary>
    public ShrinkCheckOptions? ShrinkCheck { get; init; }

    /// <summary>How table data moves from COPY to the sinks: compression threads, segment size, the serial path.</summary>
    public PipelineOptions Pipeline { get; init; } = new();

    /// <summary>Gets where the run is (stage, table, rows, bytes, share done) a few times a second; null: nobody asks.</summary>
    public IProgress<BackupProgress>? Progress { get; init; }

    public static string NewRunId(DateTimeOffset now) =>
        now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
}
