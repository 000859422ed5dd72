namespace BackupCore.Catalog;

/// <summary>
/// A piece of an object's definition that can become an entry of its own to break a dependency loop,
/// e.g. a column default (pg_attrdef) that calls a function returning the table's row type.
/// </summary>
/// <param name="SubObject">The pg_depend identity of the piece (its dependencies are found under this id).</param>
/// <param name="Entry">The separate entry (its <see cref="CatalogObject.Id"/> is <paramref name="SubObject"/>).</param>
internal sealed record DetachablePart(CatalogObjectId SubObject, CatalogObject Entry);
