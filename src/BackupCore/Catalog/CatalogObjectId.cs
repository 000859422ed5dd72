namespace BackupCore.Catalog;

/// <summary>
/// An object's identity as pg_depend names it: the OID of the system catalog that holds it
/// (<c>classid</c>, e.g. pg_class = 1259) and its OID there (<c>objid</c>).
/// </summary>
internal readonly record struct CatalogObjectId(uint ClassId, uint ObjectId)
{
    public override string ToString() => $"{ClassId}:{ObjectId}";
}
