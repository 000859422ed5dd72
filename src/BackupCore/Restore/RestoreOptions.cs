namespace BackupCore.Restore;

/// <summary>How <see cref="PlainSqlRestorer"/> loads a script.</summary>
public sealed record RestoreOptions
{
    /// <summary>Runs the whole script in one transaction, so a failure leaves the database as it was.</summary>
    public bool SingleTransaction { get; init; }

    /// <summary>
    /// Refuse a pg_dump-style script (header comment "PostgreSQL database dump") that lacks the
    /// "dump complete" trailer: it was cut short even if it ends at a statement boundary.
    /// </summary>
    public bool RequireDumpTrailer { get; init; } = true;

    /// <summary>Called after each statement and each chunk of COPY data; keep it cheap.</summary>
    public Action<RestoreProgress>? Progress { get; init; }
}

/// <summary>Where a restore is.</summary>
/// <param name="InputBytesRead">Bytes of the file read (compressed, for a .gz).</param>
/// <param name="InputLength">Size of the file, when known.</param>
/// <param name="Statements">Statements executed.</param>
/// <param name="Rows">COPY rows sent.</param>
/// <param name="CurrentTable">The table whose data is being loaded, if any.</param>
public sealed record RestoreProgress(long InputBytesRead, long? InputLength, long Statements, long Rows, string? CurrentTable);

/// <summary>Rows loaded into one table by one <c>COPY ... FROM stdin</c>.</summary>
public sealed record LoadedTable(string? Schema, string Table, long Rows);

/// <summary>What a restore did.</summary>
public sealed record RestoreResult(long Statements, long Rows, IReadOnlyList<LoadedTable> Tables, TimeSpan Duration);
