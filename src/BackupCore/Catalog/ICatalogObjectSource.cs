namespace BackupCore.Catalog;

/// <summary>Reads the objects of one kind (or a family of kinds) in the dump's snapshot.</summary>
internal interface ICatalogObjectSource
{
    IAsyncEnumerable<CatalogObject> ReadAsync(CatalogContext context, CancellationToken cancellationToken);
}
