namespace BackupCore.Catalog;

/// <summary>What to dump.</summary>
/// <param name="Schemas">Raw schema names; empty means every non-system schema.</param>
/// <param name="LockTimeout">How long to wait for the ACCESS SHARE lock on each dumped table.</param>
public sealed record CatalogScope(IReadOnlyList<string> Schemas, TimeSpan LockTimeout)
{
    public static CatalogScope AllSchemas { get; } = new([], TimeSpan.FromSeconds(30));
}
