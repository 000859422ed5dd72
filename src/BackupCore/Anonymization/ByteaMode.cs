namespace BackupCore.Anonymization;

/// <summary>How the anonymizer treats the bytea values of a column (the policy's <c>bytea</c> option and rules).</summary>
public enum ByteaMode
{
    /// <summary>Binary: neither rewritten nor scanned (the default).</summary>
    Opaque,

    /// <summary>Scanned as UTF-8 text by the fail-closed scan, never rewritten.</summary>
    Scan,

    /// <summary>Addresses in the bytes' UTF-8 text are replaced, then scanned.</summary>
    Replace,
}
