using BackupCore.Plan;
using Npgsql;

namespace BackupCore.Catalog;

/// <summary>
/// Reads the schema in the dump's snapshot and returns the plan: every object as a TOC entry,
/// ordered so that a single pass restores (pg_depend, then type priority, then name).
/// </summary>
public sealed class CatalogReader
{
    /// <summary>
    /// <paramref name="connection"/> must already be inside the dump transaction
    /// (REPEATABLE READ, READ ONLY) with the session settings of <c>BackupSession</c> applied
    /// (search_path '', DateStyle ISO, ...). Locks every dumped table ACCESS SHARE (with
    /// <see cref="CatalogScope.LockTimeout"/>) before reading its details.
    /// </summary>
    public Task<DumpPlan> ReadAsync(NpgsqlConnection connection, CatalogScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(scope);
        throw new BackupException("catalog reader not built yet");
    }
}
